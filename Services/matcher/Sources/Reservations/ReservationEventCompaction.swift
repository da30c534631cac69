import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Compacts a worker's reservation events (docs/decisions/0011): each carries the reservation's
/// whole state, so one older than `RetentionPeriods.supersededEvents` goes once a later event of the
/// same reservation exists (a `reservation.created` once it was cancelled or not collected). The
/// readers that keep its state upsert it from whichever of its events they see: the gateway's index,
/// ingest's baskets left, the pickup validator's desk (notifications' old inbox entries are not redone).
struct ReservationEventCompaction: PurgeJob {
    static let rule = OutboxCompaction.Rule(topics: ReservationChanged.topics, key: "$.data.reservation.id")

    var name: String { "superseded_reservation_events" }

    func purge(now: Date, in db: Database) throws -> Int {
        try OutboxCompaction.compact(Self.rule, before: now.addingTimeInterval(-RetentionPeriods.supersededEvents), in: db)
    }
}
