import EcoBus
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import GRDB
import Logging

/// Emails waiting to go out, one per notification that has one (so never twice), retried with
/// back-off until sent or given up after `maximumAttempts`.
public struct EmailOutbox: Sendable {
    public static let maximumAttempts = 8
    public static let migrations: [Migration] = [
        Migration("notifications.v2.email-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE email_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    dedupe_key TEXT NOT NULL UNIQUE,
                    account_id TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT NOT NULL,
                    last_error TEXT,
                    sent_at TEXT
                );
                CREATE INDEX email_outbox_due ON email_outbox(status, next_attempt_at);
                """)
        },
    ]

    /// How long an email waits for its recipient's address (from `account.created`, which comes
    /// from another producer and may arrive after the event that caused the email).
    public static let addressWait: TimeInterval = 24 * 3600

    /// Queues an email once per `dedupeKey`. The address is looked up when it is sent: `recipient`
    /// when given, else the account's contact address. An email that `needsConsent` (a
    /// notification) goes only while the account consents to notification emails.
    static func enqueue(
        accountId: String, dedupeKey: String, subject: String, body: String, recipient: String? = nil, needsConsent: Bool,
        at date: Date, in db: Database
    ) throws {
        guard try !ErasedAccounts.contains(accountId, in: db) else { return }
        try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO email_outbox (dedupe_key, account_id, created_at, subject, body, next_attempt_at, recipient, needs_consent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [dedupeKey, accountId, EventTime.format(date), subject, body, EventTime.format(date), recipient, needsConsent])
    }

    /// Blanks the body of an email that carried a single-use code, once it was sent or given up.
    static func forgetCode(of id: Int64, in db: Database) throws {
        guard let key = try String.fetchOne(db.cachedStatement(sql: "SELECT dedupe_key FROM email_outbox WHERE id = ?"), arguments: [id]),
              EmailRequests.carriesCode(key) else { return }
        try db.cachedStatement(sql: "UPDATE email_outbox SET body = '' WHERE id = ?").execute(arguments: [id])
    }

    /// Delay before attempt `n + 1`: 30 s, 1 min, 2 min, … up to an hour.
    static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempts - 1))))
    }
}

/// Sends due emails from the outbox over SMTP.
public struct EmailSender: Sendable {
    let database: any DatabaseWriter
    let client: SMTPClient
    let logger: Logger

    public init(database: any DatabaseWriter, client: SMTPClient, logger: Logger) {
        self.database = database
        self.client = client
        self.logger = logger
    }

    @discardableResult
    public func sendDue(now: Date = Date()) async throws -> Int {
        struct Due: Sendable {
            let id: Int64, recipient: String?, subject: String, body: String, attempts: Int, createdAt: Date
            /// False when the email is a notification and the person does not (or no longer) consent.
            let allowed: Bool
        }
        let due = try await database.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT email_outbox.*, COALESCE(email_outbox.recipient, contacts.email) AS address,
                        (email_outbox.needs_consent = 0 OR COALESCE(email_consents.granted, 0) = 1) AS allowed
                    FROM email_outbox
                    LEFT JOIN contacts ON contacts.account_id = email_outbox.account_id
                    LEFT JOIN email_consents ON email_consents.account_id = email_outbox.account_id
                    WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 50
                    """,
                arguments: [EventTime.format(now)]
            ).map {
                Due(id: $0["id"], recipient: $0["address"], subject: $0["subject"], body: $0["body"], attempts: $0["attempts"],
                    createdAt: EventTime.parse($0["created_at"]) ?? now, allowed: $0["allowed"])
            }
        }
        var sent = 0
        for mail in due {
            guard mail.allowed || mail.recipient == nil else {
                // The person withdrew (or never gave) consent to notification emails: the
                // notification stays in the in-app inbox only.
                try await database.write { db in
                    try db.cachedStatement(sql: "UPDATE email_outbox SET status = 'no_consent', last_error = NULL WHERE id = ?").execute(arguments: [mail.id])
                }
                continue
            }
            guard let recipient = mail.recipient else {
                // The address has not arrived yet: look again shortly, and give up after a day.
                let expired = now.timeIntervalSince(mail.createdAt) > EmailOutbox.addressWait
                try await database.write { db in
                    try db.cachedStatement(sql: "UPDATE email_outbox SET status = ?, next_attempt_at = ?, last_error = ? WHERE id = ?").execute(
                        arguments: [expired ? "failed" : "pending", EventTime.format(now.addingTimeInterval(2)), "recipient's address unknown", mail.id])
                }
                continue
            }
            let client = self.client
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<SMTPError?, Never>) in
                DispatchQueue.global().async {
                    do throws(SMTPError) {
                        try client.send(to: recipient, subject: mail.subject, body: mail.body)
                        continuation.resume(returning: nil)
                    } catch {
                        continuation.resume(returning: error)
                    }
                }
            }
            let attempts = mail.attempts + 1
            try await database.write { db in
                if let error = outcome {
                    let giveUp = error.permanent || attempts >= EmailOutbox.maximumAttempts
                    try db.cachedStatement(sql: "UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?").execute(
                        arguments: [giveUp ? "failed" : "pending", attempts,
                                    EventTime.format(now.addingTimeInterval(EmailOutbox.backoff(afterAttempts: attempts))), error.description, mail.id])
                } else {
                    try db.cachedStatement(sql: "UPDATE email_outbox SET status = 'sent', attempts = ?, sent_at = ?, last_error = NULL WHERE id = ?").execute(
                        arguments: [attempts, EventTime.format(Date()), mail.id])
                }
                if outcome == nil || outcome?.permanent == true || attempts >= EmailOutbox.maximumAttempts {
                    try EmailOutbox.forgetCode(of: mail.id, in: db)
                }
            }
            if let error = outcome {
                logger.warning("email not sent", metadata: ["email.id": "\(mail.id)", "email.attempts": "\(attempts)", "error": "\(error.loggable)"])
            } else {
                sent += 1
            }
        }
        return sent
    }
}
