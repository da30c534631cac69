import EcoBus
import Foundation
import GRDB

/// A row keeping the latest copy a peer relayed of one of a lot's records (`relayed_reservations`,
/// `relayed_missions`, docs/decisions/0017): both tables key their rows by the record's id and
/// carry its lot, its lot's pickup end and the time it was relayed, and both are read, forgotten
/// and expired the same way.
protocol RelayedCopy: FetchableRecord, PersistableRecord {
    /// When this worker received the copy, as `EventTime` writes it.
    var relayedAt: String { get }
}

extension RelayedCopy {
    private static var lotId: Column { Column("lot_id") }
    private static var pickupEnd: Column { Column("pickup_end") }

    /// The copies kept of `lotId`'s records, by id.
    static func copies(of lotId: String, in db: Database) throws -> [Self] {
        try filter(Self.lotId == lotId).order(Column("id")).fetchAll(db)
    }

    /// Forgets the copies of `lotId`.
    static func forget(_ lotId: String, in db: Database) throws {
        try filter(Self.lotId == lotId).deleteAll(db)
    }

    /// Forgets the copies of lots whose pickup window ended more than `RelayedReservations.kept`
    /// before `now`; the count.
    static func forgetEnded(now: Date, in db: Database) throws -> Int {
        try filter(Self.pickupEnd < EventTime.format(now.addingTimeInterval(-RelayedReservations.kept))).deleteAll(db)
    }
}
