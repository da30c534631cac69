import EcoBus
import EcoRuntime
import EcoModel
import EcoStore
import GRDB

/// Where each reservation lives and whose it is, so that `/v1/reservations/{id}` can be routed to
/// the matcher worker that owns its lot and checked against the caller. Written when the gateway
/// makes the reservation and again from its events (whichever comes first).
public struct ReservationIndex: Sendable {
    public static let migrations: [Migration] = [
        Migration("gateway.v2.reservation-index") { db in
            try db.execute(sql: """
                CREATE TABLE reservation_index (
                    id TEXT PRIMARY KEY NOT NULL,
                    lot_id TEXT NOT NULL,
                    taker_id TEXT NOT NULL,
                    merchant_id TEXT NOT NULL,
                    organisation_id TEXT
                );
                """)
        },
    ]

    public struct Entry: Sendable, Equatable {
        public let id: String
        public let lotId: String
        public let takerId: String
        public let merchantId: String
        public let organisationId: String?
    }

    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) { self.database = database }

    public func record(_ reservation: Reservation) async throws {
        try await database.write { db in try Self.record(reservation, db) }
    }

    static func record(_ reservation: Reservation, _ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO reservation_index (id, lot_id, taker_id, merchant_id, organisation_id) VALUES (?, ?, ?, ?, ?)"
        ).execute(
            arguments: [reservation.id, reservation.lotId, reservation.takerId, reservation.merchantId, reservation.organisationId])
    }

    public func entry(_ id: String) async throws -> Entry? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM reservation_index WHERE id = ?", arguments: [id]).map(Self.entry)
        }
    }

    /// The reservation if `caller` may see it, filtered in the query: its taker; unless `takerOnly`,
    /// also the lot's merchant, a member of the lot's organisation, or an admin.
    public func entry(_ id: String, visibleTo caller: Actor, takerOnly: Bool) async throws -> Entry? {
        try await database.read { db in
            var sql = "SELECT * FROM reservation_index WHERE id = ? AND (taker_id = ?"
            var arguments: StatementArguments = [id, caller.accountId]
            if !takerOnly {
                sql += " OR ? OR merchant_id = ?"
                arguments += [caller.isAdmin, caller.accountId]
                if !caller.organisationIds.isEmpty {
                    sql += " OR organisation_id IN (\(Array(repeating: "?", count: caller.organisationIds.count).joined(separator: ", ")))"
                    arguments += StatementArguments(caller.organisationIds)
                }
            }
            return try Row.fetchOne(db, sql: sql + ")", arguments: arguments).map(Self.entry)
        }
    }

    static func entry(_ row: Row) -> Entry {
        Entry(id: row["id"], lotId: row["lot_id"], takerId: row["taker_id"], merchantId: row["merchant_id"], organisationId: row["organisation_id"])
    }
}

/// Applies the reservation events to the index. Each carries the whole reservation, so any of them
/// indexes it: once the matcher has compacted its stream (docs/decisions/0011), a cancelled
/// reservation's `reservation.created` may be gone and its `reservation.cancelled` is the first seen.
public struct ReservationIndexProjection: EventHandler {
    public init() {}
    public var topicPrefixes: [String] { ReservationChanged.topics }
    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let reservation = try event.decodeData(ReservationChanged.self).reservation
        guard try !ErasedAccounts.contains(reservation.takerId, in: db) else { return }
        try ReservationIndex.record(reservation, db)
    }
}
