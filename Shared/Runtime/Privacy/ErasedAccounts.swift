import EcoBus
import EcoStore
import Foundation
import GRDB

/// The accounts erased, in every store: handlers that would write about a person skip these ids,
/// so that an event of another producer arriving after the erasure (or replayed in another order
/// by a store rebuilt from zero) brings nothing back.
public enum ErasedAccounts {
    public static let migrations: [Migration] = [
        Migration("privacy.v1.erased-accounts") { db in
            try db.execute(sql: """
                CREATE TABLE erased_accounts (
                    account_id TEXT PRIMARY KEY NOT NULL,
                    erased_at TEXT NOT NULL
                );
                """)
        },
        Migration("privacy.v2.erasure-steps") { db in
            // What an erasure waited for before this instance said it was done (ErasureHandler.awaits).
            try db.execute(sql: """
                CREATE TABLE erasure_steps (
                    account_id TEXT NOT NULL,
                    step TEXT NOT NULL,
                    PRIMARY KEY (account_id, step)
                );
                """)
        },
    ]

    public static func record(_ accountID: String, at date: Date, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO erased_accounts (account_id, erased_at) VALUES (?, ?)", arguments: [accountID, EventTime.format(date)])
    }

    public static func contains(_ accountID: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM erased_accounts WHERE account_id = ?"), arguments: [accountID]) != nil
    }

    /// Drops the dead letters that carry `needle` (an erased account's id, a redacted report's id).
    public static func dropDeadLetters(containing needle: String, in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM bus_dead_letters WHERE instr(frames, CAST(? AS BLOB)) > 0", arguments: [needle])
        return db.changesCount
    }
}
