import EcoBus
import EcoModel
import Foundation
import GRDB
@testable import MatcherService
import Testing

/// The copies of peers' missions a worker keeps for a release (docs/decisions/0017): the lot's old
/// and new holders relay on separate streams, so a copy can arrive after a later step of the same
/// mission; it must not replace it.
@Suite("RelayedMissions and RelayedReservations: copies of peers' missions and reservations")
struct RelayedMissionsTests {
    static func mission(_ status: MissionStatus, at seconds: TimeInterval) -> Mission {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        return Mission(
            id: "m-1", lotId: "lot-1", associationId: "association", collectorId: status == .requested ? nil : "rider", reservationId: "r-1",
            merchantId: "merchant", baskets: 1, pickupStart: start, pickupEnd: start.addingTimeInterval(3600), status: status,
            createdAt: start, updatedAt: start.addingTimeInterval(seconds))
    }

    @Test("a later step replaces an earlier one; an earlier one arriving late is ignored; the copies go with their lot")
    func latestStepKept() throws {
        let store = try TemporaryStore(MatcherService.migrations, producer: "matcher-0")
        let copies = try store.pool.write { db -> [[HandedMission]] in
            let relayed = RelayedMissions(db: db)
            try relayed.keep(Self.mission(.requested, at: 0), from: 1)
            try relayed.keep(Self.mission(.collected, at: 20), from: 2)
            let afterNewer = try relayed.copies(of: "lot-1").missions
            try relayed.keep(Self.mission(.accepted, at: 10), from: 1)
            let afterOlder = try relayed.copies(of: "lot-1").missions
            try relayed.forget("lot-1")
            return [afterNewer, afterOlder, try relayed.copies(of: "lot-1").missions]
        }
        #expect(copies[0].map(\.mission.status) == [.collected])
        #expect(copies[1].map(\.mission.status) == [.collected], "the older step, relayed late by the lot's old holder, is ignored")
        #expect(copies[1].allSatisfy { $0.deliveryCodeHash.isEmpty })
        #expect(copies[2].isEmpty)
    }

    @Test("the copies say when the latest was relayed, and both kinds expire a day after their lot's window")
    func latestAndExpiry() throws {
        let store = try TemporaryStore(MatcherService.migrations, producer: "matcher-0")
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let reservation = Reservation(
            id: "r-1", lotId: "lot-1", takerId: "taker", merchantId: "merchant", organisationId: nil, baskets: 1, isFree: false,
            pickupStart: start, pickupEnd: start.addingTimeInterval(3600), mealsPerBasket: 1, weightPerBasketKg: 1,
            originalValueCents: 500, priceCents: 200, status: .active, createdAt: start)
        let result = try store.pool.write { db in
            let missions = RelayedMissions(db: db), reservations = RelayedReservations(db: db)
            try reservations.keep(reservation, from: 1, at: start.addingTimeInterval(5))
            try missions.keep(Self.mission(.requested, at: 0), from: 1, at: start.addingTimeInterval(9))
            let latest = (try reservations.copies(of: "lot-1").latest, try missions.copies(of: "lot-1").latest)
            let end = start.addingTimeInterval(3600)
            let early = try reservations.forgetEnded(now: end.addingTimeInterval(RelayedReservations.kept - 1))
                + missions.forgetEnded(now: end.addingTimeInterval(RelayedReservations.kept - 1))
            let late = try reservations.forgetEnded(now: end.addingTimeInterval(RelayedReservations.kept + 1))
                + missions.forgetEnded(now: end.addingTimeInterval(RelayedReservations.kept + 1))
            return (latest, early, late)
        }
        #expect(result.0.0 == EventTime.format(start.addingTimeInterval(5)))
        #expect(result.0.1 == EventTime.format(start.addingTimeInterval(9)))
        #expect(result.1 == 0 && result.2 == 2)
    }

    @Test("a reservation's final state is never replaced by an active copy that arrives late; a final one replaces an active one")
    func reservationFinalStateKept() throws {
        let store = try TemporaryStore(MatcherService.migrations, producer: "matcher-0")
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        func reservation(_ status: ReservationStatus) -> Reservation {
            Reservation(
                id: "r-1", lotId: "lot-1", takerId: "taker", merchantId: "merchant", organisationId: nil, baskets: 1, isFree: false,
                pickupStart: start, pickupEnd: start.addingTimeInterval(3600), mealsPerBasket: 1, weightPerBasketKg: 1,
                originalValueCents: 500, priceCents: 200, status: status, createdAt: start)
        }
        let states = try store.pool.write { db -> [[ReservationStatus]] in
            let relayed = RelayedReservations(db: db)
            try relayed.keep(reservation(.active), from: 1)
            let first = try relayed.copies(of: "lot-1").reservations.map(\.status)
            try relayed.keep(reservation(.cancelled), from: 2)
            try relayed.keep(reservation(.active), from: 1)
            return [first, try relayed.copies(of: "lot-1").reservations.map(\.status)]
        }
        #expect(states == [[.active], [.cancelled]], "the cancellation holds: the baskets stay given back")
    }
}
