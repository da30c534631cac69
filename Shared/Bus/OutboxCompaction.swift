import EcoStore
import Foundation
import GRDB

/// Outbox retention by compaction (docs/decisions/0011): for topics whose every event carries the
/// whole current state of one thing (a report, a lot), an event older than the retention period is deleted
/// once a later event of the same thing exists. What stays is the producer's state, one event per
/// thing, plus everything recent, so a consumer that replays from the start ends in the same state.
/// Sequences never change: the holes are recorded, and replay replies say how far they reach.
public enum OutboxCompaction {
    public static let migrations: [Migration] = [
        Migration("bus.v2.compaction") { db in
            try db.execute(sql: """
                CREATE TABLE bus_compaction (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    compacted_below INTEGER NOT NULL,
                    compacted_at TEXT NOT NULL
                );
                CREATE INDEX bus_outbox_topic ON bus_outbox(topic, sequence);
                """)
        },
    ]

    /// Topics whose events each carry the whole state of one thing, named by its id at the first of
    /// `keys` (JSON paths into the event) that the event has: `lot.published` has `$.data.lot.id`,
    /// `lot.withdrawn` `$.data.lotId`.
    ///
    /// With `supersededBy`, only a later event of those topics makes an older one go: a snapshot
    /// (`account.snapshot`) stands for the partial events before it, which never stand for each other.
    public struct Rule: Sendable {
        public let topics: [String]
        public let keys: [String]
        public let supersededBy: [String]

        public init(topics: [String], keys: [String], supersededBy: [String]? = nil) {
            precondition(!keys.isEmpty, "a compaction rule needs the path of its things' id")
            self.topics = topics
            self.keys = keys
            self.supersededBy = supersededBy ?? topics
        }

        public init(topics: [String], key: String, supersededBy: [String]? = nil) { self.init(topics: topics, keys: [key], supersededBy: supersededBy) }

        /// The SQL for the thing's id in the event aliased `alias`, and its arguments.
        func thing(_ alias: String) -> (sql: String, arguments: StatementArguments) {
            let paths = keys.map { _ in "json_extract(CAST(\(alias).payload AS TEXT), ?)" }.joined(separator: ", ")
            return (keys.count == 1 ? paths : "COALESCE(\(paths))", StatementArguments(keys))
        }
    }

    /// Deletes the superseded events of `rule` stored before `cutoff`; returns how many. Must run
    /// inside a write transaction.
    public static func compact(_ rule: Rule, before cutoff: Date, in db: Database) throws -> Int {
        guard !rule.topics.isEmpty else { return 0 }
        let marks = Array(repeating: "?", count: rule.topics.count).joined(separator: ", ")
        let laterMarks = Array(repeating: "?", count: rule.supersededBy.count).joined(separator: ", ")
        let newer = rule.thing("n"), older = rule.thing("o")
        let superseded = """
            SELECT o.sequence FROM bus_outbox o
            WHERE o.topic IN (\(marks)) AND o.created_at < ?
              AND EXISTS (
                  SELECT 1 FROM bus_outbox n
                  WHERE n.topic IN (\(laterMarks)) AND n.sequence > o.sequence
                    AND \(newer.sql) = \(older.sql))
            """
        let arguments = StatementArguments(rule.topics) + [EventTime.format(cutoff)] + StatementArguments(rule.supersededBy) + newer.arguments + older.arguments
        let deleted = try Int64.fetchAll(db, sql: "DELETE FROM bus_outbox WHERE sequence IN (\(superseded)) RETURNING sequence", arguments: arguments)
        guard let highest = deleted.max() else { return 0 }
        try recordHoles(below: highest + 1, in: db)
        return deleted.count
    }

    /// Deletes every event of `topics` stored before `cutoff`, superseded or not; returns how many.
    /// For streams whose consumers can get the state another way (docs/decisions/0014). Must run
    /// inside a write transaction.
    public static func expire(topics: [String], before cutoff: Date, in db: Database) throws -> Int {
        guard !topics.isEmpty else { return 0 }
        let marks = Array(repeating: "?", count: topics.count).joined(separator: ", ")
        let deleted = try Int64.fetchAll(
            db, sql: "DELETE FROM bus_outbox WHERE topic IN (\(marks)) AND created_at < ? RETURNING sequence",
            arguments: StatementArguments(topics) + [EventTime.format(cutoff)])
        guard let highest = deleted.max() else { return 0 }
        try recordHoles(below: highest + 1, in: db)
        return deleted.count
    }

    static func recordHoles(below sequence: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO bus_compaction (id, compacted_below, compacted_at) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET compacted_below = MAX(compacted_below, excluded.compacted_below), compacted_at = excluded.compacted_at
                """,
            arguments: [sequence, EventTime.format(Date())])
    }

    /// The sequence below which events may be missing because later ones superseded them (0: none).
    public static func compactedBelow(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT compacted_below FROM bus_compaction WHERE id = 1") ?? 0
    }
}
