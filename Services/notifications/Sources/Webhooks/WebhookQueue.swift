import EcoBus
import EcoModel
import Foundation
import GRDB

/// A delivery ready to be sent: the event's exact JSON and where and how to sign it.
public struct DueDelivery: Sendable, Equatable {
    public let id: Int64
    public let subscriptionId: String
    public let url: String
    /// Sealed as stored (`WebhookSecrets`); the dispatcher opens it to sign.
    public var secret: String
    public let eventId: String
    public let eventType: String
    public let reportId: String
    public let sequence: Int64
    public let body: Data
    /// Attempts made before this one.
    public let attempts: Int
}

/// The webhook deliveries waiting to go out, and what each attempt did to them.
///
/// Ordering rule: a delivery may be sent only while no delivery of the same subscription and
/// report with a lower sequence is still pending. So each (subscription, report) chain has at most
/// one delivery in flight, its oldest, and a failing one holds back the events after it.
public enum WebhookQueue {
    /// What may be sent at `now`: the heads of chains whose time has come, of active subscriptions,
    /// except those in flight (`excluding`), soonest first, at most `limit`; and when the next head
    /// not yet due falls due (nil if none, or if `limit` heads are due already).
    public static func due(at now: Date, excluding: Set<Int64>, limit: Int, in db: Database) throws -> (due: [DueDelivery], nextAt: Date?) {
        guard limit > 0 else { return ([], nil) }
        var sql = """
            SELECT d.id, d.subscription_id, d.event_id, d.event_type, d.report_id, d.sequence, d.body, d.attempts, d.next_attempt_at,
                   s.url, s.secret
            FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
            WHERE d.status = 'pending' AND s.revoked_at IS NULL
              AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries e
                  WHERE e.subscription_id = d.subscription_id AND e.report_id = d.report_id AND e.status = 'pending' AND e.sequence < d.sequence)
            """
        var arguments: StatementArguments = []
        if !excluding.isEmpty {
            sql += " AND d.id NOT IN (\(Array(repeating: "?", count: excluding.count).joined(separator: ", ")))"
            arguments += StatementArguments(excluding.sorted())
        }
        sql += " ORDER BY d.next_attempt_at, d.id LIMIT ?"
        arguments += [limit + 1]
        let stamp = EventTime.format(now)
        var due: [DueDelivery] = []
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let next: String = row["next_attempt_at"] ?? stamp
            guard next <= stamp else { return (due, EventTime.parse(next) ?? now) }
            guard due.count < limit else { break }
            due.append(DueDelivery(
                id: row["id"], subscriptionId: row["subscription_id"], url: row["url"], secret: row["secret"], eventId: row["event_id"],
                eventType: row["event_type"], reportId: row["report_id"], sequence: row["sequence"], body: row["body"], attempts: row["attempts"]))
        }
        return (due, nil)
    }

    /// Logs an attempt (`at` is when it started) and moves the delivery on: delivered on a 2xx
    /// answer, otherwise pending again after the back-off for its number of attempts, counted from
    /// the attempt's end. Never dropped. Returns the attempts made so far.
    @discardableResult
    public static func record(_ attempt: WebhookAttempt, for deliveryId: Int64, settings: WebhookSettings, in db: Database) throws -> Int {
        try db.execute(
            sql: "INSERT INTO webhook_attempts (delivery_id, at, http_status, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
            arguments: [deliveryId, EventTime.format(attempt.at), attempt.httpStatus, attempt.error, attempt.durationMs])
        let attempts = (try Int.fetchOne(db, sql: "SELECT attempts FROM webhook_deliveries WHERE id = ?", arguments: [deliveryId]) ?? 0) + 1
        if attempt.succeeded {
            try db.execute(
                sql: "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, next_attempt_at = NULL WHERE id = ?",
                arguments: [attempts, EventTime.format(attempt.at), deliveryId])
        } else {
            // Counted from the end of the attempt, so a slow timeout does not eat the wait.
            let next = attempt.at.addingTimeInterval(Double(attempt.durationMs) / 1000 + settings.delay(afterAttempts: attempts))
            try db.execute(
                sql: "UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'",
                arguments: [attempts, EventTime.format(next), deliveryId])
        }
        return attempts
    }
}

extension WebhookAttempt {
    /// Whether the endpoint took the event: a 2xx answer. Anything else is retried.
    public var succeeded: Bool { httpStatus.map { (200..<300).contains($0) } ?? false }
}
