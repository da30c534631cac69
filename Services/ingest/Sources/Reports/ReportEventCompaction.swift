import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Compacts ingest's report events (docs/decisions/0011): each carries its report's whole public
/// state, so one older than `RetentionPeriods.supersededEvents` goes once a later event of the same
/// report exists. A stream read from the start still ends with every report as it is.
struct ReportEventCompaction: PurgeJob {
    static let rule = OutboxCompaction.Rule(topics: ReportChanged.topics, key: "$.data.report.id")

    var name: String { "superseded_report_events" }

    func purge(now: Date, in db: Database) throws -> Int {
        try OutboxCompaction.compact(Self.rule, before: now.addingTimeInterval(-RetentionPeriods.supersededEvents), in: db)
    }
}
