import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// The reservations a worker heard its peers relay for lots it does not hold (docs/decisions/0017
/// step 3): the latest state of each, kept until a day after its lot's pickup window. They are what
/// a lot is rebuilt from when an operator releases its lost holder (`LotRelease`). Used inside the
/// caller's transaction.
struct RelayedReservations {
    static let migrations: [Migration] = [
        Migration("matcher.v8.lot-release") { db in
            // The worker whose handover this worker waits for, or owes on; NULL when it waits for none.
            try db.alter(table: "lots") { table in table.add(column: "awaited_from", .integer) }
            try db.create(table: RelayedReservation.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("lot_id", .text).notNull().indexed()
                table.column("worker", .integer).notNull()
                table.column("taker_id", .text).notNull()
                table.column("pickup_end", .text).notNull().indexed()
                table.column("body", .blob).notNull()
                table.column("relayed_at", .text).notNull()
            }
        },
    ]

    /// How long after its lot's pickup window a copy is kept: a lot moves only until shortly after it.
    static let kept: TimeInterval = 86_400

    let db: Database

    /// Keeps `reservation` as `worker` relayed it, replacing what that reservation was before, but
    /// never a final state (cancelled, collected, no-show) with an active one: the lot's old and new
    /// holders relay on separate streams, which can reach this worker in either order.
    func keep(_ reservation: Reservation, from worker: Int, at now: Date = Date()) throws {
        if reservation.status == .active, let kept = try RelayedReservation.fetchOne(db, key: reservation.id),
           try EventCodec.decoder.decode(Reservation.self, from: kept.body).status != .active {
            return
        }
        try RelayedReservation(
            id: reservation.id, lotId: reservation.lotId, worker: worker, takerId: reservation.takerId,
            pickupEnd: EventTime.format(reservation.pickupEnd), body: try EventCodec.encoder.encode(reservation),
            relayedAt: EventTime.format(now)
        ).upsert(db)
    }

    /// The copies of `lotId`'s reservations, oldest first, with the time the latest was relayed.
    func copies(of lotId: String) throws -> (reservations: [Reservation], latest: String?) {
        let rows = try RelayedReservation.copies(of: lotId, in: db)
        let reservations = try rows.map { try EventCodec.decoder.decode(Reservation.self, from: $0.body) }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        return (reservations, rows.map(\.relayedAt).max())
    }

    /// Forgets the copies of `lotId`: this worker has the lot's own reservations now, or passed them on.
    func forget(_ lotId: String) throws { try RelayedReservation.forget(lotId, in: db) }

    /// Forgets the copies of lots whose window ended more than `kept` before `now`; the count.
    @discardableResult
    func forgetEnded(now: Date) throws -> Int { try RelayedReservation.forgetEnded(now: now, in: db) }
}

/// A row of `relayed_reservations`.
struct RelayedReservation: Codable, RelayedCopy {
    static let databaseTableName = "relayed_reservations"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var lotId: String
    var worker: Int
    var takerId: String
    var pickupEnd: String
    var body: Data
    var relayedAt: String
}
