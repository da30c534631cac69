import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// The collector missions a worker heard its peers relay for lots it does not hold, kept beside
/// `RelayedReservations` and for the same reason: an operator's release of their lost holder
/// rebuilds the lot with them (`LotRelease`). A mission's delivery code is derived by the pickup
/// validator (docs/decisions/0006), so a rebuilt mission is delivered as any other. Used inside
/// the caller's transaction.
struct RelayedMissions {
    static let migrations: [Migration] = [
        Migration("matcher.v9.relayed-missions") { db in
            try db.create(table: RelayedMission.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("lot_id", .text).notNull().indexed()
                table.column("worker", .integer).notNull()
                table.column("association_id", .text).notNull()
                table.column("collector_id", .text)
                table.column("pickup_end", .text).notNull().indexed()
                table.column("updated_at", .text).notNull()
                table.column("body", .blob).notNull()
                table.column("relayed_at", .text).notNull()
            }
        },
    ]

    let db: Database

    /// Keeps `mission` as `worker` relayed it, unless a later step of it is kept already: the lot's
    /// old and new holders relay on separate streams, which can reach this worker in either order.
    func keep(_ mission: Mission, from worker: Int, at now: Date = Date()) throws {
        let updatedAt = EventTime.format(mission.updatedAt)
        if let kept = try RelayedMission.fetchOne(db, key: mission.id), kept.updatedAt > updatedAt { return }
        try RelayedMission(
            id: mission.id, lotId: mission.lotId, worker: worker, associationId: mission.associationId, collectorId: mission.collectorId,
            pickupEnd: EventTime.format(mission.pickupEnd), updatedAt: updatedAt, body: try EventCodec.encoder.encode(mission),
            relayedAt: EventTime.format(now)
        ).upsert(db)
    }

    /// The copies of `lotId`'s missions, by id, as `lot.handed-over` carries missions, with the time
    /// the latest was relayed. Each is checked with a derived delivery code from then on, even one
    /// from before derived codes (its association asks for the code again).
    func copies(of lotId: String) throws -> (missions: [HandedMission], latest: String?) {
        let rows = try RelayedMission.copies(of: lotId, in: db)
        let missions = try rows.map {
            HandedMission(mission: try EventCodec.decoder.decode(Mission.self, from: $0.body), deliveryCodeHash: MissionBook.derivedCode)
        }
        return (missions, rows.map(\.relayedAt).max())
    }

    /// Forgets the copies of `lotId`: this worker has the lot's own missions now, or passed them on.
    func forget(_ lotId: String) throws { try RelayedMission.forget(lotId, in: db) }

    /// Forgets the copies of lots whose window ended more than `RelayedReservations.kept` before `now`; the count.
    @discardableResult
    func forgetEnded(now: Date) throws -> Int { try RelayedMission.forgetEnded(now: now, in: db) }
}

/// A row of `relayed_missions`.
struct RelayedMission: Codable, RelayedCopy {
    static let databaseTableName = "relayed_missions"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var lotId: String
    var worker: Int
    var associationId: String
    var collectorId: String?
    var pickupEnd: String
    var updatedAt: String
    var body: Data
    var relayedAt: String
}
