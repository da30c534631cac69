import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Outbox retention for the gateway's account events (docs/decisions/0011). Account events are
/// partial (a sign-up, a role, a consent, an email), so none stands for another; once one of an
/// account's is older than `RetentionPeriods.supersededEvents`, this writes an `account.snapshot`
/// with the account's whole state, and the account's events before it go. A consumer replaying the
/// stream from the start ends with the same contacts and consents. Erased accounts get no snapshot:
/// their events were rewritten at erasure and carry nothing of them.
struct AccountSnapshots: PurgeJob {
    let outbox: Outbox

    static let rule = OutboxCompaction.Rule(
        topics: AccountSnapshot.replaces + [AccountSnapshot.topic], key: "$.data.accountID", supersededBy: [AccountSnapshot.topic])

    var name: String { "account_snapshots" }

    func purge(now: Date, in db: Database) throws -> Int {
        let cutoff = now.addingTimeInterval(-RetentionPeriods.supersededEvents)
        for accountID in try Self.accountsWithOldEvents(before: cutoff, in: db) {
            guard let snapshot = try Self.snapshot(of: accountID, at: now, in: db) else { continue }
            try outbox.append(AccountSnapshot.topic, snapshot, in: db)
        }
        return try OutboxCompaction.compact(Self.rule, before: cutoff, in: db)
    }

    /// Accounts that still exist with a partial event stored before `cutoff` (an old snapshot alone
    /// needs no new one; an erased account's rewritten events are kept, not looked at every hour).
    static func accountsWithOldEvents(before cutoff: Date, in db: Database) throws -> [String] {
        let marks = Array(repeating: "?", count: AccountSnapshot.replaces.count).joined(separator: ", ")
        return try String.fetchAll(db, sql: """
            SELECT DISTINCT json_extract(CAST(payload AS TEXT), ?) AS account FROM bus_outbox
            WHERE topic IN (\(marks)) AND created_at < ? AND account IN (SELECT id FROM accounts) ORDER BY account
            """, arguments: [rule.keys[0]] + StatementArguments(AccountSnapshot.replaces) + [EventTime.format(cutoff)])
    }

    /// The account as it is now; nil once it was erased.
    static func snapshot(of accountID: String, at now: Date, in db: Database) throws -> AccountSnapshot? {
        guard let account = try SQLiteAccountStore.loadAccount(db, where: "id = ?", accountID)?.account else { return nil }
        let consent = try SQLiteAccountStore.live(.emailNotifications, of: accountID).fetchOne(db)
        return AccountSnapshot(
            accountID: account.id, email: account.email, displayName: account.displayName, roles: account.roles,
            emailNotifications: consent != nil, emailNotificationsVersion: consent?.version, at: now)
    }
}
