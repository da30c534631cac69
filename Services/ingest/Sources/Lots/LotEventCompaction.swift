import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Compacts ingest's lot events (docs/decisions/0011): `lot.published` and `lot.updated` carry the
/// lot's whole state and `lot.withdrawn` is its last, so one older than
/// `RetentionPeriods.supersededEvents` goes once a later event of the same lot exists. A matcher
/// worker replaying from the start still ends with every lot it owns as it is (`book.apply` keeps
/// the highest version, and withdrawing a lot it never saw does nothing).
struct LotEventCompaction: PurgeJob {
    static let rule = OutboxCompaction.Rule(
        topics: [LotChanged.publishedTopic, LotChanged.updatedTopic, LotWithdrawn.topic], keys: ["$.data.lot.id", "$.data.lotId"])

    var name: String { "superseded_lot_events" }

    func purge(now: Date, in db: Database) throws -> Int {
        try OutboxCompaction.compact(Self.rule, before: now.addingTimeInterval(-RetentionPeriods.supersededEvents), in: db)
    }
}
