import EcoBus
import Foundation
import GRDB

/// How long the data the retention jobs purge is kept: one place, documented in docs/privacy.md.
public enum RetentionPeriods {
    static let day: TimeInterval = 86_400
    /// Dead letters, after they were received.
    public static let deadLetters = 30 * day
    /// A report filing's contact details, after the report closed.
    public static let closedReportContact = 30 * day
    /// Sessions (and their refresh tokens), after they expired or were closed.
    public static let endedSessions = 7 * day
    /// Password-reset and email-change codes, after they were used or expired.
    public static let spentCodes = 1 * day
    /// Delivered webhook deliveries (their bodies) and their attempt log, after delivery.
    public static let deliveredWebhooks = 30 * day
    /// Emails' subject and body, after they were sent, given up or held back for want of consent.
    public static let emailBodies = 30 * day
    /// A stored event superseded by a later one of the same thing (outbox compaction, decision 0011).
    public static let supersededEvents = 30 * day
    /// A food lot's handover between matcher workers (docs/decisions/0017): by then its lot has ended.
    public static let handovers = 30 * day
}

/// One kind of data a service purges once its period has passed. `purge` runs in a write
/// transaction with the time to purge at, so tests give it any date.
public protocol PurgeJob: Sendable {
    /// For logs and the `ecoresupply_retention_purged_total` counter.
    var name: String { get }
    /// Purges what is older than its period at `now`; returns how many rows it changed.
    func purge(now: Date, in db: Database) throws -> Int
}

/// The cut-off `period` before `now`, as the stores write dates (RFC 3339 UTC, comparable as text).
public func retentionCutoff(_ now: Date, _ period: TimeInterval) -> String {
    EventTime.format(now.addingTimeInterval(-period))
}

/// Every service's dead letters go after `RetentionPeriods.deadLetters`.
public struct DeadLetterRetention: PurgeJob {
    public init() {}
    public var name: String { "dead_letters" }

    public func purge(now: Date, in db: Database) throws -> Int {
        try db.execute(
            sql: "DELETE FROM bus_dead_letters WHERE received_at < ?", arguments: [retentionCutoff(now, RetentionPeriods.deadLetters)])
        return db.changesCount
    }
}
