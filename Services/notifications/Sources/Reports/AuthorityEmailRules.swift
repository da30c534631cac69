import EcoBus
import EcoModel
import Foundation
import GRDB

/// Emails an authority each report that reaches it (filed in its area, or routed to it by an admin),
/// at the address its jurisdiction has in the territory. Runs inside the consumer's transaction, so
/// each report event queues its email once; `EmailSender` sends it with retries.
public struct AuthorityEmailRules: EventHandler {
    /// A jurisdiction that takes reports by email.
    public struct Recipient: Sendable, Equatable {
        public var name: String
        public var email: String
        public init(name: String, email: String) { self.name = name; self.email = email }
    }

    /// By jurisdiction id: only those with an address.
    let recipients: [String: Recipient]

    public init(recipients: [String: Recipient]) { self.recipients = recipients }

    public var topicPrefixes: [String] { [ReportChanged.filedTopic, ReportChanged.routedTopic] }

    /// The outbox addresses emails by account; an authority's stands in as `jurisdiction:<id>`.
    static func accountId(of jurisdiction: String) -> String { "jurisdiction:\(jurisdiction)" }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let report = try event.decodeData(ReportChanged.self).report
        guard let jurisdiction = report.jurisdictionId, let recipient = recipients[jurisdiction] else { return }
        let account = Self.accountId(of: jurisdiction)
        try db.execute(
            sql: "INSERT OR REPLACE INTO contacts (account_id, email, display_name) VALUES (?, ?, ?)",
            arguments: [account, recipient.email, recipient.name])
        let (subject, body) = Self.text(report, routedByHand: event.type == ReportChanged.routedTopic)
        try EmailOutbox.enqueue(accountId: account, dedupeKey: "report:\(event.envelope.id):\(jurisdiction)", subject: subject, body: body, needsConsent: false, at: Date(), in: db)
    }

    static func text(_ report: PublicReport, routedByHand: Bool) -> (subject: String, body: String) {
        let subject = "Environmental report: \(report.category.replacingOccurrences(of: "_", with: " "))"
        var lines = [
            routedByHand ? "An administrator has sent you this report." : "A citizen has filed this report in your area.",
            "",
            "Report: \(report.id)",
            "Category: \(report.category)",
            "Place: \(report.latitude), \(report.longitude)" + (report.address.map { " (\($0))" } ?? ""),
            "Filed: \(EventTime.format(report.filedAt))",
            "",
            report.description,
            "",
        ]
        if !report.photos.isEmpty { lines.append("Photos: " + report.photos.map { "/v1/photos/\($0)" }.joined(separator: ", ")) }
        if let media = report.mediaUrl { lines.append("Picture: \(media)") }
        lines.append("Details and status: GET /v1/reports/\(report.id); move it with POST /v1/reports/\(report.id)/status.")
        return (subject, lines.joined(separator: "\n"))
    }
}
