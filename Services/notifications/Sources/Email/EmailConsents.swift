import EcoBus
import EcoRuntime
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Who agreed to notification emails, from `account.created`, `account.consent_changed` and
/// `account.snapshot`, and
/// the columns that let the email outbox write to an address of its own and honour consent.
public struct EmailConsents: EventHandler {
    public static let migrations: [Migration] = [
        Migration("notifications.v5.email-recipients-consents") { db in
            try db.execute(sql: """
                ALTER TABLE email_outbox ADD COLUMN recipient TEXT;
                ALTER TABLE email_outbox ADD COLUMN needs_consent INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE email_consents (
                    account_id TEXT PRIMARY KEY NOT NULL,
                    granted INTEGER NOT NULL,
                    version TEXT,
                    changed_at TEXT NOT NULL
                );
                """)
        },
    ]

    public init() {}

    public var topicPrefixes: [String] { [AccountCreated.topic, AccountConsentChanged.topic, AccountEmailChanged.topic, AccountSnapshot.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        // Replayed account events of an erased person bring nothing back.
        if let account = try? event.decodeData(AccountMarker.self), try ErasedAccounts.contains(account.accountID, in: db) { return }
        switch event.type {
        case AccountCreated.topic:
            let account = try event.decodeData(AccountCreated.self)
            try record(account.accountID, granted: account.emailNotifications == true, version: nil, at: event.envelope.time.flatMap(EventTime.parse) ?? Date(), in: db)
        case AccountConsentChanged.topic:
            let change = try event.decodeData(AccountConsentChanged.self)
            guard change.purpose == .emailNotifications else { return }
            try record(change.accountID, granted: change.granted, version: change.version, at: change.at, in: db)
        case AccountEmailChanged.topic:
            let change = try event.decodeData(AccountEmailChanged.self)
            try db.execute(sql: "UPDATE contacts SET email = ? WHERE account_id = ?", arguments: [change.email, change.accountID])
        case AccountSnapshot.topic:
            // The contact itself is `NotificationRules`'; the consent is this handler's.
            let snapshot = try event.decodeData(AccountSnapshot.self)
            try record(snapshot.accountID, granted: snapshot.emailNotifications, version: snapshot.emailNotificationsVersion, at: snapshot.at, in: db)
        default:
            return
        }
    }

    /// The account every event this handler applies is about.
    struct AccountMarker: Codable, Sendable {
        var accountID: String
    }

    /// Both events come from the gateway, applied in its sequence: the latest applied wins.
    private func record(_ accountID: String, granted: Bool, version: String?, at date: Date, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO email_consents (account_id, granted, version, changed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(account_id) DO UPDATE SET granted = excluded.granted, version = excluded.version, changed_at = excluded.changed_at
                """,
            arguments: [accountID, granted, version, EventTime.format(date)])
    }

    /// Queues an email the person needs whatever their notification consent (`email.send`).
    static func queue(_ request: EmailRequests.Send, in db: Database) throws {
        try EmailOutbox.enqueue(
            accountId: request.accountId, dedupeKey: request.dedupeKey, subject: request.subject, body: request.body,
            recipient: request.recipient, needsConsent: false, at: Date(), in: db)
    }
}
