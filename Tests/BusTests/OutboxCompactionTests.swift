import EcoBus
import EcoStore
import Foundation
import GRDB
import Testing

/// A payload carrying a thing's whole state, as report events do.
private struct Thing: Codable, Sendable, Equatable {
    struct State: Codable, Sendable, Equatable {
        var id: String
        var status: String
    }
    var report: State
}

private struct Fact: Codable, Sendable, Equatable {
    var n: Int
}

@Suite("Outbox compaction: superseded whole-state events go, the state a replay ends in stays")
struct OutboxCompactionTests {
    static let rule = OutboxCompaction.Rule(topics: ["thing.filed", "thing.changed"], key: "$.data.report.id")
    let outbox = Outbox(producer: "ingest")

    /// The state a consumer replaying `payloads` from the start ends in: the last state of each thing.
    static func replayedState(_ payloads: [Data]) throws -> [String: String] {
        var state: [String: String] = [:]
        for payload in payloads {
            guard let event = try? EventCodec.decoder.decode(CloudEvent<Thing>.self, from: payload) else { continue }
            state[event.data.report.id] = event.data.report.status
        }
        return state
    }

    @Test("old events with a later one of the same thing go; the latest of each, recent ones and other topics stay")
    func compacts() async throws {
        let database = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations).migrate(database)
        try await database.write { [outbox] db in
            for (topic, id, status) in [("thing.filed", "a", "open"), ("thing.changed", "a", "acknowledged"), ("thing.filed", "b", "open"),
                                        ("thing.changed", "a", "in_progress"), ("thing.filed", "c", "open")] {
                try outbox.append(topic, Thing(report: .init(id: id, status: status)), in: db)
                try outbox.append("matching.tick", Fact(n: 1), in: db)
            }
            try outbox.append("thing.changed", Thing(report: .init(id: "c", status: "closed")), in: db)
            // Everything but the last event is old.
            try db.execute(sql: "UPDATE bus_outbox SET created_at = '2026-01-01T00:00:00.000Z' WHERE sequence < 11")
        }
        let before = try await database.read { try Data.fetchAll($0, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }
        let deleted = try await database.write { db in try OutboxCompaction.compact(Self.rule, before: Date(), in: db) }
        #expect(deleted == 3, "a's first two (a later a exists) and c's first (c closed later)")
        let (after, topics, below) = try await database.read { db in
            (try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence"),
             try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox ORDER BY sequence"),
             try OutboxCompaction.compactedBelow(db))
        }
        #expect(topics.filter { $0 == "matching.tick" }.count == 5, "facts are never compacted")
        #expect(try Self.replayedState(after) == Self.replayedState(before), "a replay from the start ends in the same state")
        #expect(try Self.replayedState(after) == ["a": "in_progress", "b": "open", "c": "closed"])
        #expect(below == 10, "events below 10 may be missing")
        #expect(try await database.write { db in try OutboxCompaction.compact(Self.rule, before: Date(), in: db) } == 0, "nothing more")
        #expect(try await database.read { try Outbox.latestSequence($0) } == 11, "sequences never move")

        // Replay says how far compaction reaches, so a consumer starting from zero skips quietly.
        let reply = try await ReplayServer(producer: "ingest", database: database, stats: nil)
            .answer([try EventCodec.encoder.encode(ReplayRequest(from: 1))])
        let header = try EventCodec.decoder.decode(ReplayReply.self, from: reply[0])
        #expect(header.compactedBelow == 10 && header.through == 11 && reply.count == 1 + 8)
    }

    @Test("nothing recent is compacted, even when superseded")
    func keepsRecent() async throws {
        let database = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations).migrate(database)
        try await database.write { [outbox] db in
            for status in ["open", "closed"] { try outbox.append("thing.changed", Thing(report: .init(id: "a", status: status)), in: db) }
        }
        #expect(try await database.write { db in
            try OutboxCompaction.compact(Self.rule, before: Date().addingTimeInterval(-30 * 86_400), in: db)
        } == 0)
        let header = try EventCodec.decoder.decode(ReplayReply.self, from: try await ReplayServer(producer: "ingest", database: database, stats: nil)
            .answer([try EventCodec.encoder.encode(ReplayRequest(from: 1))])[0])
        #expect(header.compactedBelow == nil)
    }
}
