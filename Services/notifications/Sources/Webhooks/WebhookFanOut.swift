import EcoBus
import EcoModel
import Foundation
import GRDB

/// Queues each `report.*` event for every active webhook of the report's jurisdiction (and, on
/// `report.routed`, of the jurisdiction it left), inside the
/// consumer's transaction (so exactly once per event and subscription), keeping the CloudEvent's
/// JSON exactly as received. Reports in the admin queue (no jurisdiction) go to nobody. The
/// dispatcher is woken once the transaction commits.
public struct WebhookFanOut: EventHandler {
    /// Reads only what routing needs from any `report.*` event: its report's id and jurisdiction.
    struct Marker: Decodable, Sendable {
        struct Report: Decodable, Sendable {
            var id: String
            var jurisdictionId: String?
        }
        struct Data: Decodable, Sendable {
            var report: Report
            var previousJurisdictionId: String?
        }
        var data: Data
    }

    let wake: WakeSignal

    public init(wake: WakeSignal) { self.wake = wake }

    public var topicPrefixes: [String] { ["report."] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        guard let sequence = event.sequence,
              // A `report.*` event about something else than one report is not for webhooks.
              let data = (try? EventCodec.decoder.decode(Marker.self, from: event.payload))?.data
        else { return }
        let report = data.report
        // The report's jurisdiction, and on `report.routed` the one it left, so that authority hears it went.
        let jurisdictions = ReportChanged.concerned(jurisdictionId: report.jurisdictionId, previousJurisdictionId: data.previousJurisdictionId)
        guard !jurisdictions.isEmpty else { return }
        let subscriptions = try String.fetchAll(
            db, sql: "SELECT id FROM webhook_subscriptions WHERE jurisdiction_id IN (\(jurisdictions.map { _ in "?" }.joined(separator: ", "))) AND revoked_at IS NULL ORDER BY id",
            arguments: StatementArguments(jurisdictions))
        guard !subscriptions.isEmpty else { return }
        let now = EventTime.format(Date())
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO webhook_deliveries
                (subscription_id, report_id, event_id, event_type, sequence, body, created_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for subscription in subscriptions {
            try insert.execute(arguments: [subscription, report.id, event.envelope.id, event.type, sequence, event.payload, now, now])
        }
        let wake = self.wake
        db.afterNextTransaction(onCommit: { _ in wake.signal() })
    }
}
