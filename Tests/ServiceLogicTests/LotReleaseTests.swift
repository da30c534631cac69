import EcoBus
import EcoModel
import Foundation
import MatcherService
import Testing

/// An operator releases a worker whose store is lost for good (`ecoresupply lots release`,
/// docs/decisions/0017 step 3): the workers that await its lots rebuild them from the reservations
/// they heard it relay, and only what it never relayed is lost.
@Suite("Food lots of a lost worker, released by an operator")
struct LotReleaseTests {
    static let lots = LotHandoverTests.lots
    static func holder(_ lotId: String, _ members: [Int]) -> Int { LotHandoverTests.holder(lotId, members) }

    @Test("a lost worker's lots wait until it is released, then hold what it relayed and sell only the baskets left")
    func released() async throws {
        let (stream, made) = try await LotHandoverTests.twoWorkers()
        try stream.settle([0, 1, 2])
        let ones = Self.lots.filter { Self.holder($0, [0, 1]) == 1 }
        let lot = try #require(ones.first)
        // Worker 1 makes one more reservation and loses its store before relaying it.
        _ = try await stream.reserve(lot, id: "never-relayed", at: 1)
        stream.lost = [1]
        try stream.tick([0, 2])
        try stream.settle([0, 2])
        let taker = Self.holder(lot, [0, 2])
        await #expect(throws: RemoteError.moving("lot \(lot) is on its way to this worker")) {
            try await stream.reserve(lot, id: "while-lost", at: taker)
        }
        try stream.release(1, members: [0, 2])
        try stream.settle([0, 2])
        try LotHandoverTests.audit(stream, made, members: [0, 2])
        // The two relayed reservations hold their baskets: three are left, then the lot is sold out.
        for n in 0..<3 { _ = try await stream.reserve(lot, id: "after-\(n)", at: taker) }
        await #expect(throws: RemoteError.self) { try await stream.reserve(lot, id: "one-too-many", at: taker) }
        #expect(try await stream.workers[taker].book.reservation(id: "never-relayed") == nil, "what was never relayed is lost, and only that")
    }

    @Test("a lost worker's collector missions are rebuilt with its lots, as their holder relayed them, and are delivered with the validator's code")
    func missionsReleased() async throws {
        let (stream, first) = try await LotHandoverTests.twoWorkers()
        var made = first
        try stream.settle([0, 1, 2])
        let lot = try #require(Self.lots.first { Self.holder($0, [0, 1]) == 1 })
        let lost = MissionBook(book: stream.workers[1].book)
        let created = try await lost.create(MissionRequests.Create(lotId: lot, associationId: "association", baskets: 1), now: stream.now)
        _ = try await lost.accept(MissionRequests.Accept(missionId: created.mission.id, collectorId: "rider", lotId: lot), now: stream.now)
        made[created.mission.reservationId] = lot
        try stream.settle([0, 1, 2])
        stream.lost = [1]
        try stream.tick([0, 2])
        try stream.settle([0, 2])
        try stream.release(1, members: [0, 2])
        try stream.settle([0, 2])
        try LotHandoverTests.audit(stream, made, members: [0, 2])
        let taker = Self.holder(lot, [0, 2])
        let missions = MissionBook(book: stream.workers[taker].book)
        let rebuilt = try #require(try await missions.mission(id: created.mission.id))
        #expect(rebuilt.status == .accepted && rebuilt.collectorId == "rider" && rebuilt.reservationId == created.mission.reservationId)
        // The collector collects at the counter, then delivers: the code is the validator's to check.
        let reservation = try #require(try await stream.workers[taker].book.reservation(id: created.mission.reservationId))
        try stream.pickedUp(reservation)
        try stream.settle([0, 2])
        let checked = try await missions.deliver(MissionRequests.Deliver(missionId: created.mission.id, actorId: "rider", deliveryCode: "123456")) { _, _ in }
        #expect(checked.status == .delivered)
    }

    @Test("a lot that moved on while it was awaited from the lost worker is rebuilt by the worker that awaited it, and passed on")
    func passedOn() async throws {
        let (stream, made) = try await LotHandoverTests.twoWorkers()
        try stream.settle([0, 1, 2])
        stream.lost = [1]
        try stream.tick([0])
        try stream.deliver("ingest", to: 0)
        try stream.tick([0, 2])
        try stream.settle([0, 2])
        let passed = Self.lots.filter { Self.holder($0, [0, 1]) == 1 && Self.holder($0, [0, 2]) == 2 }
        let lot = try #require(passed.first)
        await #expect(throws: RemoteError.moving("lot \(lot) is on its way to this worker")) {
            try await stream.reserve(lot, id: "while-lost", at: 2)
        }
        try stream.release(1, members: [0, 2])
        try stream.settle([0, 2])
        try LotHandoverTests.audit(stream, made, members: [0, 2])
        #expect(try await stream.workers[2].book.reservations(lotId: lot, status: nil).count == 2)
    }

    @Test("a release changes nothing for lots already handed over: a worker that comes back before it hands them over itself")
    func releaseAfterHandover() async throws {
        let (stream, made) = try await LotHandoverTests.twoWorkers()
        try stream.tick([0, 2])
        try stream.settle([0, 1, 2])
        try stream.release(1, members: [0, 2])
        try stream.settle([0, 1, 2])
        try LotHandoverTests.audit(stream, made, members: [0, 2])
    }

    @Test("a worker that owed lots on owes nothing once their data passed it by: a later release of the worker it awaited hands nothing over")
    func owedLotsPassedBy() async throws {
        let stream = try LotStream(workers: 4)
        try stream.tick([0])
        for id in Self.lots { try stream.publish(id) }
        try stream.settle([0, 1, 2, 3])
        var made: [String: String] = [:]
        for id in Self.lots { made["\(id)-r0"] = (try await stream.reserve(id, id: "\(id)-r0", at: 0)).lotId }
        try stream.settle([0, 1, 2, 3])
        // Worker 0 is down while the lots move to 1, then 2, then 3: 1 and 2 each owe them on, and 3 awaits them from 2.
        try stream.tick([1])
        try stream.tick([2])
        try stream.tick([3])
        for index in 1...3 { try stream.deliver("ingest", to: index) }
        // Worker 0 comes back and gives its lots to 1, which passes them straight to 3, past 2.
        try stream.deliver("ingest", to: 0)
        try stream.deliver("matcher-0", to: 1)
        try stream.deliver("matcher-1", to: 3)
        try stream.deliver("matcher-1", to: 2)
        try stream.release(1, members: [3])
        try stream.settle([1, 2, 3, 0])
        try LotHandoverTests.audit(stream, made, members: [3])
        #expect(try !stream.workers[2].store.topics().contains(LotHandedOver.topic), "worker 2 never had the lots, and gives none")
    }
}
