import EcoBus
import EcoModel
import Foundation
import GRDB
import PickupValidatorService
import Testing

@Suite("PickupDesk: codes, the counter's checks and the daily quota")
struct PickupDeskTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func desk() throws -> (PickupDesk, TemporaryStore) {
        let store = try TemporaryStore(BeneficiaryRegistry.migrations + PickupDesk.migrations, producer: "pickup-validator")
        let desk = PickupDesk(database: store.pool, outbox: store.outbox, codes: PickupCodes(secret: Data(repeating: 7, count: 32)))
        return (desk, store)
    }

    func reservation(_ id: String = "res-1", organisation: String? = "shop-org") -> Reservation {
        Reservation(
            id: id, lotId: "lot", takerId: "taker", merchantId: "merchant", organisationId: organisation, baskets: 2, isFree: false,
            pickupStart: now, pickupEnd: now.addingTimeInterval(3600), mealsPerBasket: 2, weightPerBasketKg: 1,
            originalValueCents: 1000, priceCents: 400, status: .active, createdAt: now)
    }

    func apply(_ reservation: Reservation, _ desk: PickupDesk, _ store: TemporaryStore) async throws {
        let payload = try CloudEventWriter.encode(CloudEvent(
            source: "matcher-0", type: ReservationChanged.createdTopic, sequence: 1,
            data: ReservationChanged(reservation: reservation, reason: .reserved)))
        guard case .event(let event) = InboundMessage.decode([Data(ReservationChanged.createdTopic.utf8), payload]) else {
            Issue.record("event did not decode")
            return
        }
        try await store.pool.write { db in try PickupDeskProjection(desk: desk).apply(event, in: db) }
    }

    @Test("codes are stable, cannot be forged, and PINs have six digits")
    func codes() {
        let codes = PickupCodes(secret: Data(repeating: 1, count: 32))
        let token = codes.token(for: "abc")
        #expect(codes.reservationId(from: token) == "abc")
        #expect(codes.reservationId(from: token.dropLast() + "x") == nil)
        #expect(codes.reservationId(from: "abd" + token.dropFirst(3)) == nil)
        #expect(PickupCodes(secret: Data(repeating: 2, count: 32)).reservationId(from: token) == nil, "another secret")
        #expect(codes.pin(for: "abc").count == 6 && codes.pin(for: "abc").allSatisfy(\.isNumber))
        #expect(codes.pin(for: "abc") == codes.pin(for: "abc"))
    }

    @Test("a member of the merchant's organisation validates; the window's start and end are enforced")
    func counter() async throws {
        let (desk, store) = try desk()
        try await apply(reservation(), desk, store)
        let code = desk.code(for: "res-1")
        let member = Actor(accountId: "employee", organisationIds: ["shop-org"])
        let late = PickupRequests.Validate(token: code.token, pin: code.pin, validator: member)
        await #expect(throws: RemoteError(code: "window_ended", message: "the pickup window has ended")) {
            try await desk.validate(late, now: now.addingTimeInterval(3601))
        }
        // Issue 10: a minute before the window opens, the code is refused with its own reason, and no PIN attempt is counted.
        do {
            _ = try await desk.validate(late, now: now.addingTimeInterval(-60))
            Issue.record("validated before the window opened")
        } catch let error as RemoteError {
            #expect(error.code == "window_not_started")
        }
        let done = try await desk.validate(late, now: now.addingTimeInterval(60))
        #expect(done.validatedBy == "employee" && done.meals == 4 && done.valueSavedCents == 1200)
        #expect(try store.topics() == ["pickup.completed"])
    }

    @Test("two free lots a day per beneficiary, counted by the Europe/Paris calendar day")
    func quota() async throws {
        let (desk, _) = try desk()
        // 2026-11-22 23:30 in Paris is 22:30 UTC; 00:30 the next day in Paris is 23:30 UTC.
        let lateEvening = ISO8601DateFormatter().date(from: "2026-11-22T22:30:00Z")!
        let afterMidnight = ISO8601DateFormatter().date(from: "2026-11-22T23:30:00Z")!
        #expect(PickupDesk.parisDay(lateEvening) == "2026-11-22")
        #expect(PickupDesk.parisDay(afterMidnight) == "2026-11-23")
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "1"), now: lateEvening)
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "2"), now: lateEvening)
        await #expect(throws: RemoteError.self) { try await desk.claim(.init(beneficiaryId: "b", reservationId: "3"), now: lateEvening) }
        try await desk.claim(.init(beneficiaryId: "other", reservationId: "4"), now: lateEvening)
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "5"), now: afterMidnight)
        try await desk.release(reservationId: "1")
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "6"), now: lateEvening)
    }

    @Test("a claim is once per reservation id: claimed again it counts once; given back and claimed again, it counts again")
    func claimAgain() async throws {
        let (desk, _) = try desk()
        let noon = ISO8601DateFormatter().date(from: "2026-11-22T11:00:00Z")!
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "r1"), now: noon)
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "r1"), now: noon)
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "r2"), now: noon)
        await #expect(throws: RemoteError.self, "r1 and r2 use the day's two baskets") {
            try await desk.claim(.init(beneficiaryId: "b", reservationId: "r3"), now: noon)
        }
        // r1's reservation failed, and its slot was given back; the command is retried with the same id.
        try await desk.release(reservationId: "r1")
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "r1"), now: noon)
        await #expect(throws: RemoteError.self, "the retried r1 counts again") {
            try await desk.claim(.init(beneficiaryId: "b", reservationId: "r3"), now: noon)
        }
    }

    @Test("the quota counts baskets: three in one reservation are refused, two then one are refused at the one")
    func quotaCountsBaskets() async throws {
        let (desk, _) = try desk()
        let noon = ISO8601DateFormatter().date(from: "2026-11-22T11:00:00Z")!
        do {
            try await desk.claim(.init(beneficiaryId: "b", reservationId: "r3", baskets: 3), now: noon)
            Issue.record("three free baskets in one reservation were allowed")
        } catch let error as RemoteError {
            #expect(error.code == "quota_exceeded" && error.field == "baskets" && error.message.contains("2 left today"), "\(error)")
        }
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "r2", baskets: 2), now: noon)
        do {
            try await desk.claim(.init(beneficiaryId: "b", reservationId: "r1", baskets: 1), now: noon)
            Issue.record("a third basket was allowed")
        } catch let error as RemoteError {
            #expect(error.code == "quota_exceeded" && error.message.contains("none is left"), "\(error)")
        }
        // Cancelling the two-basket reservation gives both back.
        try await desk.release(reservationId: "r2")
        try await desk.claim(.init(beneficiaryId: "b", reservationId: "r4", baskets: 2), now: noon)
        #expect(PickupRequests.secondsUntilQuotaResets(from: noon) == 12 * 3600, "noon UTC is 12:00 in Paris in winter")
    }
}
