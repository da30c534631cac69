import EcoStore
import GRDB

/// How far into ingest's stream the worker's materials ledger is: the sequence of the last
/// materials event it applied. A ledger handed over by a peer (`LedgerHandover`) starts at the
/// peer's position, and `MaterialEventHandler` skips what it already holds (docs/decisions/0014).
public enum LedgerPosition {
    public static let migrations: [Migration] = [
        Migration("matcher.v4.ledger-position") { db in
            try db.execute(sql: """
                CREATE TABLE material_ledger_position (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    applied_through INTEGER NOT NULL
                )
                """)
        },
    ]

    /// The sequence of ingest's last materials event in the ledger (0: none yet).
    public static func read(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT applied_through FROM material_ledger_position WHERE id = 1")) ?? 0
    }

    static func record(_ sequence: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO material_ledger_position (id, applied_through) VALUES (1, ?)
            ON CONFLICT(id) DO UPDATE SET applied_through = MAX(applied_through, excluded.applied_through)
            """).execute(arguments: [sequence])
    }
}
