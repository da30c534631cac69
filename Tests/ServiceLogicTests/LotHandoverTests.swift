import EcoBus
import EcoConfig
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

/// Food lots move with the members named in ingest's ticks (docs/decisions/0017): the giver hands
/// each lot over with its reservations, the taker holds it once the handover arrives, and no
/// basket is sold twice or lost on the way, whatever order the workers apply the streams in.
@Suite("Food lots handed over between matcher workers")
struct LotHandoverTests {
    static let lots = (0..<40).map { "lot-\($0)" }

    /// The holder of `lotId` under `members`, as the gateway routes.
    static func holder(_ lotId: String, _ members: [Int]) -> Int { LotHolders.holder(of: lotId, members: members)! }

    /// A stream of 3 workers where 0 and 1 ran from the start and 2 has not started yet: the lots
    /// are published, a tick names 0 and 1, and each lot has two reservations of one basket at its holder.
    static func twoWorkers() async throws -> (LotStream, [String: String]) {
        let stream = try LotStream(workers: 3)
        for id in lots { try stream.publish(id) }
        try stream.tick([0, 1])
        // Worker 2's share under the configured three waits for it: it starts, and gives it to 0 and 1.
        try stream.settle([0, 1, 2])
        var made: [String: String] = [:]
        for id in lots {
            for n in 0..<2 { made["\(id)-r\(n)"] = (try await stream.reserve(id, id: "\(id)-r\(n)", at: holder(id, [0, 1]))).lotId }
        }
        return (stream, made)
    }

    /// Each lot held by exactly one worker, the one its members give; each reservation made held
    /// once, at that worker; no lot over its baskets.
    static func audit(_ stream: LotStream, _ made: [String: String], members: [Int], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for id in lots {
            #expect(try stream.holders(of: id) == [holder(id, members)], "lot \(id)", sourceLocation: sourceLocation)
        }
        let held = try stream.reservations()
        for (id, lot) in made {
            #expect(held[id]?.map(\.worker) == [holder(lot, members)], "reservation \(id): \(held[id] ?? [])", sourceLocation: sourceLocation)
        }
        #expect(Set(held.keys) == Set(made.keys), "nothing held that was not made", sourceLocation: sourceLocation)
        let baskets = Dictionary(grouping: held.values.flatMap { $0 }.filter { $0.status != "cancelled" }, by: \.lot).mapValues(\.count)
        #expect(baskets.values.allSatisfy { $0 <= 5 }, sourceLocation: sourceLocation)
    }

    @Test("before a tick names members, each lot's holder among the configured workers holds it; a worker that does not refuses, naming the holder")
    func routing() async throws {
        let (stream, made) = try await Self.twoWorkers()
        try Self.audit(stream, made, members: [0, 1])
        let id = Self.lots[0]
        let other = 1 - Self.holder(id, [0, 1])
        await #expect(throws: RemoteError.heldElsewhere("lot \(id) is held by another worker", by: "matcher-\(Self.holder(id, [0, 1]))")) {
            try await stream.reserve(id, id: "elsewhere", at: other)
        }
    }

    @Test("grow from 2 to 3: the lots the newcomer takes arrive with their reservations, and wait for them before taking new ones")
    func grow() async throws {
        let (stream, first) = try await Self.twoWorkers()
        var made = first
        try stream.tick([0, 1, 2])
        let moving = Self.lots.filter { Self.holder($0, [0, 1, 2]) == 2 }
        #expect(!moving.isEmpty)
        // The newcomer applies the tick before the givers: it waits for their handovers.
        try stream.deliver("ingest", to: 2)
        await #expect(throws: RemoteError.moving("lot \(moving[0]) is on its way to this worker")) {
            try await stream.reserve(moving[0], id: "early", at: 2)
        }
        // A giver that applied the tick refuses, naming the newcomer.
        let giver = Self.holder(moving[0], [0, 1])
        try stream.deliver("ingest", to: giver)
        await #expect(throws: RemoteError.heldElsewhere("lot \(moving[0]) is held by another worker", by: "matcher-2")) {
            try await stream.reserve(moving[0], id: "late", at: giver)
        }
        try stream.settle([0, 1, 2])
        try Self.audit(stream, made, members: [0, 1, 2])
        // The lot's baskets count the reservations that came with it: 2 taken, 3 left, then sold out.
        for n in 0..<3 { made["\(moving[0])-new\(n)"] = (try await stream.reserve(moving[0], id: "\(moving[0])-new\(n)", at: 2)).lotId }
        await #expect(throws: RemoteError.self) { try await stream.reserve(moving[0], id: "one-too-many", at: 2) }
        // A reservation sent again with its id at the new holder is answered with what the old one made.
        let again = try await stream.reserve(moving[0], id: "\(moving[0])-r0", at: 2)
        #expect(again.id == "\(moving[0])-r0" && again.takerId == "taker-\(moving[0])-r0")
        try Self.audit(stream, made, members: [0, 1, 2])
    }

    @Test("a giver that comes back late hands its lots over then; until it does, they take no reservations")
    func lateGiver() async throws {
        let (stream, made) = try await Self.twoWorkers()
        try stream.tick([0, 1, 2])
        try stream.settle([0, 1, 2])
        // Worker 1 is down when the tick drops it: worker 0 and 2 await its lots.
        try stream.tick([0, 2])
        try stream.settle([0, 2])
        let ones = Self.lots.filter { Self.holder($0, [0, 1, 2]) == 1 }
        let waiting = ones[0]
        await #expect(throws: RemoteError.moving("lot \(waiting) is on its way to this worker")) {
            try await stream.reserve(waiting, id: "while-down", at: Self.holder(waiting, [0, 2]))
        }
        // It comes back, replays to the tick, and hands them over.
        try stream.settle([1, 0, 2])
        try Self.audit(stream, made, members: [0, 2])
    }

    @Test("shrink while a handover is on its way: the taker passes the lot on, and a pickup validated meanwhile is kept")
    func passedOn() async throws {
        let (stream, made) = try await Self.twoWorkers()
        try stream.tick([0, 1, 2])
        try stream.tick([0, 1])
        let moving = Self.lots.filter { Self.holder($0, [0, 1, 2]) == 2 }
        let lot = moving[0]
        let giver = Self.holder(lot, [0, 1])
        let reservation = try #require(try await stream.workers[giver].book.reservation(id: "\(lot)-r0"))
        // The giver applies the first tick only, and hands the lot to 2; 2 applies both ticks before the handover.
        try Self.applyFirstTick(of: stream, to: giver)
        try stream.deliver("ingest", to: 2)
        try stream.pickedUp(reservation)
        try stream.deliver("pickup-validator", to: 2)
        try stream.deliver("pickup-validator", to: giver)
        try stream.settle([2, 0, 1])
        try Self.audit(stream, made, members: [0, 1])
        #expect(try await stream.workers[giver].book.reservation(id: reservation.id)?.status == .collected, "the pickup reached it on the way")
    }

    /// Hands `index` ingest's events up to and including the first tick after the initial one.
    static func applyFirstTick(of stream: LotStream, to index: Int) throws {
        let ticks = try stream.ingest.pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT sequence FROM bus_outbox WHERE topic = ? ORDER BY sequence", arguments: [MatchingTick.topic])
        }
        try stream.deliver(upTo: ticks[1], "ingest", to: index)
    }
}
