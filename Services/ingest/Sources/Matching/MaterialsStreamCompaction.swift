import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Drops ingest's materials stream older than `RetentionPeriods.materialsStream`
/// (docs/decisions/0014). Only the matcher workers read it, and each keeps the ledger it builds; a
/// worker that needs what is gone (new, or its store lost) copies a peer's ledger at start
/// (`LedgerHandover`) instead of replaying from the first event.
struct MaterialsStreamCompaction: PurgeJob {
    var name: String { "materials_stream_events" }

    func purge(now: Date, in db: Database) throws -> Int {
        try OutboxCompaction.expire(topics: MaterialsStream.topics, before: now.addingTimeInterval(-RetentionPeriods.materialsStream), in: db)
    }
}
