import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import GRDB
import Logging

/// Erases people (GDPR Article 17): the gateway erases its own part in one transaction with the
/// `account.erased` event, every other service applies that event, and each says so with
/// `privacy.erased`, which the gateway keeps as the erasure's progress (docs/decisions/0010).
public struct ErasureDesk: Sendable {
    public static let migrations: [Migration] = [
        Migration("gateway.v5.erasures") { db in
            try db.execute(sql: """
                CREATE TABLE erasures (
                    account_id TEXT PRIMARY KEY NOT NULL,
                    requested_by TEXT NOT NULL,
                    requested_at TEXT NOT NULL
                );
                CREATE TABLE erasure_progress (
                    account_id TEXT NOT NULL,
                    instance TEXT NOT NULL,
                    erased_rows INTEGER NOT NULL,
                    erased_events INTEGER NOT NULL,
                    erased_at TEXT NOT NULL,
                    PRIMARY KEY (account_id, instance)
                );
                """)
        },
    ]

    /// An erasure as an admin follows it.
    public struct Status: Codable, Sendable, Equatable {
        public var accountId: String
        public var requestedBy: String
        public var requestedAt: Date
        /// Instances that finished, with when.
        public var done: [Done]
        /// Instances that have not reported yet (down ones erase when they come back).
        public var pending: [String]
        public var complete: Bool

        public struct Done: Codable, Sendable, Equatable {
            public var instance: String
            public var at: Date
        }
    }

    let database: any DatabaseWriter
    let outbox: Outbox
    let holders: [any PersonalDataHolder]
    /// Every instance that must report, but the gateway itself.
    let instances: [String]
    let logger: Logger

    public init(database: any DatabaseWriter, outbox: Outbox, matcherCount: Int, logger: Logger) {
        self.database = database
        self.outbox = outbox
        self.holders = GatewayService.personalData
        self.instances = BusTopology.instances(matchers: matcherCount).map(\.name).filter { $0 != ServiceInstance(.gateway).name }
        self.logger = logger
    }

    /// Erases the account here and announces it; nil when there is no such account.
    public func erase(accountID: String, requestedBy: String, at date: Date = Date()) async throws -> Status? {
        let outbox = self.outbox, holders = self.holders
        let erased: Bool = try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE id = ?", arguments: [accountID]) != nil else { return false }
            let admin = Role.admin.rawValue
            let isAdmin = try Bool.fetchOne(db, sql: "SELECT 1 FROM account_roles WHERE account_id = ? AND role = ?", arguments: [accountID, admin]) != nil
            if isAdmin, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account_roles WHERE role = ?", arguments: [admin]) == 1 {
                throw APIError(.conflict, code: "last_admin", message: "the last admin cannot be erased; make another admin first")
            }
            let erasure = AccountErased(
                accountID: accountID, requestedBy: requestedBy, at: date, soleOrganisationIds: try Self.soleOrganisations(of: accountID, in: db))
            for holder in holders { _ = try holder.erase(erasure, in: db) }
            // The gateway does not apply its own `account.erased`: its part of the runtime's work is done here.
            try ErasedAccounts.record(accountID, at: date, in: db)
            _ = try ErasedAccounts.dropDeadLetters(containing: accountID, in: db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO erasures (account_id, requested_by, requested_at) VALUES (?, ?, ?)",
                arguments: [accountID, requestedBy, EventTime.format(date)])
            try outbox.append(AccountErased.topic, erasure, in: db)
            return true
        }
        guard erased else { return nil }
        logger.notice("account erasure started", metadata: ["account.id": "\(accountID)", "privacy.requested_by": "\(requestedBy)"])
        if let pool = database as? DatabasePool { await WALTruncation.run(pool, logger: logger) }
        return try await status(accountID: accountID)
    }

    /// The organisations whose only member is the account: a sole trader's, whose offers are theirs.
    static func soleOrganisations(of accountID: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT organisation_id FROM organisation_members m WHERE account_id = ?
              AND NOT EXISTS (SELECT 1 FROM organisation_members o WHERE o.organisation_id = m.organisation_id AND o.account_id <> m.account_id)
            ORDER BY organisation_id
            """, arguments: [accountID])
    }

    public func status(accountID: String) async throws -> Status? {
        let instances = self.instances
        return try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM erasures WHERE account_id = ?", arguments: [accountID]) else { return nil }
            let done = try Row.fetchAll(db, sql: "SELECT instance, erased_at FROM erasure_progress WHERE account_id = ? ORDER BY instance", arguments: [accountID])
                .map { Status.Done(instance: $0["instance"], at: EventTime.parse($0["erased_at"]) ?? .distantPast) }
            let pending = instances.filter { instance in !done.contains { $0.instance == instance } }
            return Status(
                accountId: accountID, requestedBy: row["requested_by"], requestedAt: EventTime.parse(row["requested_at"]) ?? .distantPast,
                done: done, pending: pending, complete: pending.isEmpty)
        }
    }

    /// Whether the account was erased: projections skip events about it that replay brings back.
    static func isErased(_ accountID: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM erasures WHERE account_id = ?", arguments: [accountID]) != nil
    }
}

/// Keeps each instance's `privacy.erased` as the erasure's progress.
struct ErasureProgressProjection: EventHandler {
    var topicPrefixes: [String] { [PersonalDataErased.topic] }

    func apply(_ event: ReceivedEvent, in db: Database) throws {
        let done = try event.decodeData(PersonalDataErased.self)
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO erasure_progress (account_id, instance, erased_rows, erased_events, erased_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [done.accountID, done.instance, done.rows, done.events, event.envelope.time ?? EventTime.format(Date())])
    }
}
