import EcoBus
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import GRDB
import Logging

/// Tells the people who follow a report (its signed-in filers and supporters, and the contact
/// emails left with it) when its status changes: in the app, and by email when SMTP is on.
/// `report.status_changed` carries no one's identity, so the event only queues a follow-up here;
/// `deliverDue` then asks ingest who follows the report and writes their messages.
public struct ReportFollowUps: Sendable {
    public static let migrations: [Migration] = [
        Migration("notifications.v6.report-follow-ups") { db in
            try db.execute(sql: """
                CREATE TABLE report_follow_ups (
                    event_id TEXT PRIMARY KEY NOT NULL,
                    report_id TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    queued_at TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    done_at TEXT
                );
                CREATE INDEX report_follow_ups_pending ON report_follow_ups(done_at, queued_at);
                """)
        },
    ]

    /// A follow-up stops being retried after this many failed asks (ingest gone for about an hour).
    public static let maximumAttempts = 1_800
    /// The kind in people's inboxes.
    public static let kind = ReportChanged.statusChangedTopic

    struct Row: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "report_follow_ups"
        static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
        static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

        var eventId: String
        var reportId: String
        var title: String
        var body: String
        var queuedAt: Date
        var attempts: Int
        var doneAt: Date?

        enum Columns {
            static let eventId = Column("event_id")
            static let attempts = Column("attempts")
            static let doneAt = Column("done_at")
            static let queuedAt = Column("queued_at")
        }
    }

    let database: any DatabaseWriter
    let followers: any ReportFollowerSource
    let email: Bool
    let logger: Logger

    public init(database: any DatabaseWriter, followers: any ReportFollowerSource, email: Bool, logger: Logger) {
        self.database = database
        self.followers = followers
        self.email = email
        self.logger = logger
    }

    /// Queues the follow-up of one status change (inside the consumer's transaction).
    static func queue(_ change: ReportChanged, eventId: String, at date: Date, in db: Database) throws {
        let report = change.report
        let status = report.status.rawValue.replacingOccurrences(of: "_", with: " ")
        let place = report.address ?? "\(report.latitude), \(report.longitude)"
        var body = "Your report (\(report.category.replacingOccurrences(of: "_", with: " ")), \(place)) is now \(status)."
        if let reason = report.history.last?.reason { body += " \(reason)" }
        body += " Follow it at /v1/reports/\(report.id)."
        try Row(eventId: eventId, reportId: report.id, title: "Your report is \(status)", body: body, queuedAt: date, attempts: 0, doneAt: nil)
            .insert(db, onConflict: .ignore)
    }

    /// Delivers the follow-ups waiting; returns how many were delivered.
    @discardableResult
    public func deliverDue(now: Date = Date()) async throws -> Int {
        let pending = try await database.read { db in
            try Row.filter(Row.Columns.doneAt == nil && Row.Columns.attempts < Self.maximumAttempts)
                .order(Row.Columns.queuedAt).limit(50).fetchAll(db)
        }
        var delivered = 0
        for followUp in pending {
            let people: [ReportRequests.Follower]
            do {
                people = try await followers.followers(of: followUp.reportId)
            } catch {
                logger.warning("report followers not known yet", metadata: ["report.id": "\(followUp.reportId)", "error": "\(error)"])
                try await database.write { db in
                    _ = try Row.filter(Row.Columns.eventId == followUp.eventId).updateAll(db, Row.Columns.attempts += 1)
                }
                continue
            }
            let email = self.email
            try await database.write { db in
                for person in people { try Self.tell(person, followUp, email: email, at: now, in: db) }
                _ = try Row.filter(Row.Columns.eventId == followUp.eventId).updateAll(db, Row.Columns.doneAt.set(to: now))
            }
            delivered += 1
        }
        return delivered
    }

    static func tell(_ person: ReportRequests.Follower, _ followUp: Row, email: Bool, at now: Date, in db: Database) throws {
        let key = "\(followUp.eventId):\(person.filingId)"
        if let account = person.accountId {
            try Inbox.deliver(.init(
                accountId: account, dedupeKey: key, kind: Self.kind, title: followUp.title, body: followUp.body,
                links: ["reportId": followUp.reportId], byEmail: true), at: now, email: email, in: db)
        } else if let address = person.email, email {
            // They left the address with the report for this: no account, no other consent to ask.
            try EmailOutbox.enqueue(
                accountId: "report-filing:\(person.filingId)", dedupeKey: key, subject: followUp.title, body: followUp.body,
                recipient: address, needsConsent: false, at: now, in: db)
        }
    }
}

/// Queues a follow-up for each `report.status_changed`.
public struct ReportFollowUpRules: EventHandler {
    public init() {}

    public var topicPrefixes: [String] { [ReportChanged.statusChangedTopic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        try ReportFollowUps.queue(try event.decodeData(ReportChanged.self), eventId: event.envelope.id, at: Date(), in: db)
    }
}

/// Who follows a report: ingest knows (`report.followers`).
public protocol ReportFollowerSource: Sendable {
    func followers(of reportId: String) async throws -> [ReportRequests.Follower]
}

/// Asks ingest over the bus.
public struct BusReportFollowerSource: ReportFollowerSource {
    let loop: SocketLoop
    let ingest: String

    public init(loop: SocketLoop, ingest: String) {
        self.loop = loop
        self.ingest = ingest
    }

    public func followers(of reportId: String) async throws -> [ReportRequests.Follower] {
        let body = try EventCodec.encoder.encode(ReportRequests.FollowersQuery(reportId: reportId))
        let reply = try await loop.request(ingest, kind: ReportRequests.followers, body: [body], timeout: .seconds(2))
        guard let first = reply.first else { throw RemoteError.badRequest("ingest answered report.followers with nothing") }
        return try EventCodec.decoder.decode(ReportRequests.Followers.self, from: first).items
    }
}
