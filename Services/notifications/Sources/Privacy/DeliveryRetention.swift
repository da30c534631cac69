import EcoRuntime
import Foundation
import GRDB

/// Purges delivered webhook deliveries (their bodies are report events) and their attempt log
/// `RetentionPeriods.deliveredWebhooks` after delivery. Pending ones are never purged.
struct WebhookDeliveryRetention: PurgeJob {
    var name: String { "webhook_deliveries" }

    func purge(now: Date, in db: Database) throws -> Int {
        let cutoff = retentionCutoff(now, RetentionPeriods.deliveredWebhooks)
        let old = "SELECT id FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ?"
        try db.execute(sql: "DELETE FROM webhook_attempts WHERE delivery_id IN (\(old))", arguments: [cutoff])
        var purged = db.changesCount
        try db.execute(sql: "DELETE FROM webhook_deliveries WHERE id IN (\(old))", arguments: [cutoff])
        purged += db.changesCount
        return purged
    }
}

/// Blanks emails' subject and body `RetentionPeriods.emailBodies` after they were sent, given up
/// or held back. The row stays, so that its dedupe key still keeps the email from going twice.
struct EmailBodyRetention: PurgeJob {
    var name: String { "email_bodies" }

    func purge(now: Date, in db: Database) throws -> Int {
        try db.execute(
            sql: """
                UPDATE email_outbox SET subject = '', body = '', last_error = NULL,
                    recipient = CASE WHEN account_id LIKE 'report-filing:%' THEN NULL ELSE recipient END
                WHERE status != 'pending' AND COALESCE(sent_at, created_at) < ? AND (body != '' OR subject != '')
                """,
            arguments: [retentionCutoff(now, RetentionPeriods.emailBodies)])
        return db.changesCount
    }
}
