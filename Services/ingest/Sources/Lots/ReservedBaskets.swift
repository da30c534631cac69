import EcoBus
import EcoModel
import GRDB

/// Keeps, per lot, the baskets its reservations hold, from the matcher's events, so that browsing
/// shows what is left and hides sold-out lots. Active and collected reservations hold baskets;
/// cancelled ones give them back; no-shows keep them (the food was set aside).
public struct ReservedBaskets: EventHandler {
    public init() {}
    public var topicPrefixes: [String] { ["reservation."] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let reservation = try event.decodeData(ReservationChanged.self).reservation
        guard reservation.listingId == nil else { return }  // a materials handover, not a lot
        let holds = reservation.status != .cancelled
        try db.cachedStatement(sql: """
                INSERT INTO lot_reservations (reservation_id, lot_id, baskets, holds) VALUES (?, ?, ?, ?)
                ON CONFLICT(reservation_id) DO UPDATE SET holds = excluded.holds WHERE lot_reservations.holds = 1
                """).execute(
            arguments: [reservation.id, reservation.lotId, reservation.baskets, holds])
        try LotSearchIndex.refresh(lotID: reservation.lotId, in: db)
    }
}
