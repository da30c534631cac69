import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Expires a worker's `lot.handed-over` events once `RetentionPeriods.handovers` old
/// (docs/decisions/0017). A lot is open at most 14 days ahead plus a 24-hour window, and moves
/// only until an hour after it, so by then the lot takes no command anywhere; its taker applied the
/// handover long before, and the reservations it carried live in the taker's store.
struct LotHandoverExpiry: PurgeJob {
    var name: String { "lot_handovers" }

    func purge(now: Date, in db: Database) throws -> Int {
        try OutboxCompaction.expire(topics: [LotHandedOver.topic], before: now.addingTimeInterval(-RetentionPeriods.handovers), in: db)
    }
}
