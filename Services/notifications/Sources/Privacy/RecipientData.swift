import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB
import Logging

/// What notifications holds about a person: the address it writes to, their in-app inbox and
/// reminders, their emails, their consent to notification emails and their feed subscriptions.
/// Erasing deletes all of it (notifications stores no event that names a person).
struct RecipientData: PersonalDataHolder {
    var section: String { "notifications" }

    struct Export: Encodable {
        var contact: Contact?
        var emailNotifications: Bool?
        var inbox: [InboxNotification]
        var emails: [Email]
        var subscriptions: [FeedSubscription]
        struct Contact: Encodable {
            var email: String
            var displayName: String
        }
        struct Email: Encodable {
            var createdAt: String
            var subject: String
            var body: String
            var status: String
            var sentAt: String?
        }
    }

    func export(accountID: String, in db: Database) throws -> Data {
        let inbox = try Row.fetchAll(db, sql: "SELECT * FROM notifications WHERE account_id = ? ORDER BY created_at, id", arguments: [accountID]).map {
            InboxNotification(
                id: $0["id"], kind: $0["kind"], title: $0["title"], body: $0["body"],
                links: (try? JSONDecoder().decode([String: String].self, from: Data(($0["links"] as String).utf8))) ?? [:],
                createdAt: EventTime.parse($0["created_at"]) ?? .distantPast, readAt: EventTime.parse($0["read_at"] as String? ?? ""))
        }
        return try ExportJSON.encode(Export(
            contact: try Row.fetchOne(db, sql: "SELECT * FROM contacts WHERE account_id = ?", arguments: [accountID])
                .map { Export.Contact(email: $0["email"], displayName: $0["display_name"]) },
            emailNotifications: try Bool.fetchOne(db, sql: "SELECT granted FROM email_consents WHERE account_id = ?", arguments: [accountID]),
            inbox: inbox,
            emails: try Row.fetchAll(db, sql: "SELECT * FROM email_outbox WHERE account_id = ? ORDER BY id", arguments: [accountID]).map {
                // A single-use code is never handed out again, not even to its owner's export.
                let body: String = EmailRequests.carriesCode($0["dedupe_key"]) ? "(a single-use code, not kept)" : $0["body"]
                return Export.Email(createdAt: $0["created_at"], subject: $0["subject"], body: body, status: $0["status"], sentAt: $0["sent_at"])
            },
            subscriptions: try Data.fetchAll(db, sql: "SELECT body FROM feed_subscriptions WHERE account_id = ? ORDER BY created_at", arguments: [accountID])
                .compactMap { try? EventCodec.decoder.decode(FeedSubscription.self, from: $0) }))
    }

    func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount {
        let accountID = erased.accountID
        var count = ErasureCount()
        for (table, column) in [
            ("contacts", "account_id"), ("notifications", "account_id"), ("reminders", "taker_id"), ("email_outbox", "account_id"),
            ("email_consents", "account_id"), ("feed_subscriptions", "account_id"),
        ] {
            try db.execute(sql: "DELETE FROM \(table) WHERE \(column) = ?", arguments: [accountID])
            count.rows += db.changesCount
        }
        return count
    }
}

/// Applies `report.redacted` to the copies notifications keeps of a report: the bodies of its
/// webhook deliveries (each rewritten as ingest rewrote that event) and the emails to authorities.
struct ReportRedactions: EventHandler {
    let database: DatabasePool
    let logger: Logger

    var topicPrefixes: [String] { [ReportChanged.redactedTopic] }

    func apply(_ event: ReceivedEvent, in db: Database) throws {
        guard event.type == ReportChanged.redactedTopic else { return }
        let redacted = try event.decodeData(ReportChanged.self).report
        let deliveries = try Row.fetchAll(db, sql: "SELECT id, body FROM webhook_deliveries WHERE report_id = ?", arguments: [redacted.id])
        for delivery in deliveries {
            var copy = try EventCodec.decoder.decode(CloudEvent<ReportChanged>.self, from: delivery["body"] as Data)
            guard copy.data.report.redact(like: redacted) else { continue }
            try db.execute(
                sql: "UPDATE webhook_deliveries SET body = ? WHERE id = ?", arguments: [try CloudEventWriter.encode(copy), delivery["id"] as Int64])
        }
        let emails = try Row.fetchAll(
            db, sql: "SELECT id, body FROM email_outbox WHERE account_id LIKE 'jurisdiction:%' AND instr(body, ?) > 0", arguments: [redacted.id])
        for email in emails {
            let byHand = (email["body"] as String).hasPrefix("An administrator")
            try db.execute(
                sql: "UPDATE email_outbox SET body = ? WHERE id = ?",
                arguments: [AuthorityEmailRules.text(redacted, routedByHand: byHand).body, email["id"] as Int64])
        }
        WALTruncation.afterCommit(of: db, database: database, logger: logger)
    }
}
