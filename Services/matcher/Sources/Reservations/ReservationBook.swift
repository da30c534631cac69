import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// A matcher worker's lots and the reservations of those it holds (`LotHolding`, docs/decisions/0017).
/// All allocation of a lot's baskets happens here, in one SQLite write transaction at a time, at the
/// lot's one holder, so a lot is never oversold.
public struct ReservationBook: Sendable {
    public static let migrations: [Migration] = [
        Migration("matcher.v1.lots-reservations") { db in
            try db.execute(sql: """
                CREATE TABLE lots (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL,
                    organisation_id TEXT,
                    baskets INTEGER NOT NULL,
                    is_free INTEGER NOT NULL,
                    meals_per_basket REAL NOT NULL,
                    weight_per_basket_kg REAL NOT NULL,
                    original_value_cents INTEGER NOT NULL,
                    price_cents INTEGER NOT NULL,
                    pickup_start TEXT NOT NULL,
                    pickup_end TEXT NOT NULL,
                    status TEXT NOT NULL,
                    version INTEGER NOT NULL
                );
                CREATE TABLE reservations (
                    id TEXT PRIMARY KEY NOT NULL,
                    lot_id TEXT NOT NULL REFERENCES lots(id),
                    taker_id TEXT NOT NULL,
                    baskets INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX reservations_lot ON reservations(lot_id, status);
                CREATE INDEX reservations_taker ON reservations(taker_id);
                CREATE INDEX reservations_active_end ON reservations(status, lot_id);
                """)
        },
    ]

    public let database: DatabasePool
    public let outbox: Outbox
    public let worker: Int
    public let workers: Int

    public init(database: DatabasePool, outbox: Outbox, worker: Int, workers: Int) {
        self.database = database
        self.outbox = outbox
        self.worker = worker
        self.workers = workers
    }

    /// Which lots this worker holds, inside the caller's transaction.
    func holding(_ db: Database) -> LotHolding {
        LotHolding(db: db, worker: worker, configured: LotHolders.configuredMembers(workers))
    }

    // MARK: - Lots, from ingest's events

    /// Keeps the lot's state (newer versions only). Every worker keeps every lot; one first seen is
    /// held by its holder under the current members.
    public func apply(_ lot: Lot, in db: Database) throws {
        try apply(HeldLot(lot), in: db)
    }

    /// Keeps the lot's terms (newer versions only), from ingest or from a handover.
    func apply(_ lot: HeldLot, in db: Database) throws {
        let state = try holding(db).newcomer(lot.id)
        let (holding, holder): (String, Int) = switch state {
        case .elsewhere(let other): ("elsewhere", other)
        default: ("held", worker)
        }
        try db.execute(
            sql: """
                INSERT INTO lots (id, merchant_id, organisation_id, baskets, is_free, meals_per_basket, weight_per_basket_kg,
                    original_value_cents, price_cents, pickup_start, pickup_end, status, version, holding, holder)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET baskets = excluded.baskets, meals_per_basket = excluded.meals_per_basket,
                    weight_per_basket_kg = excluded.weight_per_basket_kg, original_value_cents = excluded.original_value_cents,
                    price_cents = excluded.price_cents, pickup_start = excluded.pickup_start, pickup_end = excluded.pickup_end,
                    status = excluded.status, version = excluded.version
                WHERE excluded.version > lots.version
                """,
            arguments: [
                lot.id, lot.merchantId, lot.organisationId, lot.baskets, lot.isFree, lot.mealsPerBasket, lot.weightPerBasketKg,
                lot.originalValueCents, lot.priceCents, EventTime.format(lot.pickupStart), EventTime.format(lot.pickupEnd),
                lot.status.rawValue, lot.version, holding, holder,
            ])
    }

    /// The merchant withdrew the lot: it takes no more reservations and the active ones are cancelled.
    public func withdraw(_ lotId: String, in db: Database) throws {
        try db.execute(sql: "UPDATE lots SET status = 'withdrawn' WHERE id = ?", arguments: [lotId])
        for reservation in try Self.reservations(db, "lot_id = ? AND status = 'active'", [lotId]) {
            try change(reservation, to: .cancelled, reason: .lotWithdrawn, in: db)
        }
    }

    /// The pickup was validated. A reservation this worker does not have, on a lot it does not hold
    /// (or has not heard of yet), may be on its way here in a handover: the pickup is kept for it
    /// (`LotHolding.pickupPending`).
    public func collected(_ reservationId: String, lotId: String? = nil, in db: Database) throws {
        guard let reservation = try Self.reservations(db, "id = ?", [reservationId]).first else {
            if let lotId, try holding(db).state(of: lotId) != .held {
                try holding(db).pickupPending(reservationId: reservationId, lotId: lotId)
            }
            return
        }
        guard reservation.status == .active else { return }
        var updated = reservation
        updated.status = .collected
        try store(updated, in: db)
    }

    // MARK: - Reservations

    public struct Availability: Sendable, Equatable {
        public let lot: LotRow
        public let reserved: Int
        public var remaining: Int { lot.baskets - reserved }
    }

    public struct LotRow: Sendable, Equatable {
        public let id: String
        public let merchantId: String
        public let organisationId: String?
        public let baskets: Int
        public let isFree: Bool
        public let mealsPerBasket: Double
        public let weightPerBasketKg: Double
        public let originalValueCents: Int
        public let priceCents: Int
        public let pickupStart: Date
        public let pickupEnd: Date
        public let withdrawn: Bool
        /// Where the lot's baskets are allocated.
        let state: LotHolding.State
    }

    public func availability(of lotId: String) async throws -> Availability? {
        try await database.read { db in try Self.availability(lotId, db) }
    }

    static func availability(_ lotId: String, _ db: Database) throws -> Availability? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM lots WHERE id = ?"), arguments: [lotId]) else { return nil }
        let lot = LotRow(
            id: row["id"], merchantId: row["merchant_id"], organisationId: row["organisation_id"], baskets: row["baskets"],
            isFree: row["is_free"], mealsPerBasket: row["meals_per_basket"], weightPerBasketKg: row["weight_per_basket_kg"],
            originalValueCents: row["original_value_cents"], priceCents: row["price_cents"],
            pickupStart: EventTime.parse(row["pickup_start"]) ?? .distantPast, pickupEnd: EventTime.parse(row["pickup_end"]) ?? .distantPast,
            withdrawn: (row["status"] as String) != LotStatus.published.rawValue,
            state: LotHolding.state(holding: row["holding"], holder: row["holder"]))
        let reserved = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(SUM(baskets), 0) FROM reservations WHERE lot_id = ? AND status IN ('active', 'collected')"),
            arguments: [lotId]) ?? 0
        return Availability(lot: lot, reserved: reserved)
    }

    /// Takes `baskets` of the lot for the taker if they are still there; checks everything again
    /// inside the transaction, which is what makes concurrent requests safe.
    public func reserve(id: String, _ request: ReservationRequests.Create, now: Date = Date()) async throws -> Reservation {
        let book = self
        return try await database.write { db in try book.reserve(id: id, request, now: now, in: db) }
    }

    /// The reservation inside the caller's transaction (a collector mission makes one with it).
    func reserve(id: String, _ request: ReservationRequests.Create, now: Date, in db: Database) throws -> Reservation {
        if let made = try Self.reservations(db, "id = ?", [id]).first { return try Self.replay(made, of: request) }
        guard let availability = try Self.availability(request.lotId, db) else { throw RemoteError.notFound("no lot \(request.lotId)") }
        try Self.check(request, availability, now: now)
        let lot = availability.lot
        let reservation = Reservation(
            id: id, lotId: lot.id, takerId: request.takerId, merchantId: lot.merchantId, organisationId: lot.organisationId,
            baskets: request.baskets, isFree: lot.isFree, pickupStart: lot.pickupStart, pickupEnd: lot.pickupEnd,
            mealsPerBasket: lot.mealsPerBasket, weightPerBasketKg: lot.weightPerBasketKg,
            originalValueCents: lot.originalValueCents, priceCents: lot.priceCents, status: .active, createdAt: now)
        let body = try EncodedPayload(reservation)
        try db.cachedStatement(
            sql: "INSERT INTO reservations (id, lot_id, taker_id, baskets, status, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [id, lot.id, request.takerId, request.baskets, reservation.status.rawValue, body.json, EventTime.format(now), EventTime.format(now)])
        try outbox.append(ReservationChanged.createdTopic, try Self.changed(body, reason: .reserved), in: db)
        return reservation
    }

    /// The answer to a command whose reservation id is already taken: the reservation it made, or a
    /// refusal when the id was made by a different command.
    static func replay(_ made: Reservation, of request: ReservationRequests.Create) throws(RemoteError) -> Reservation {
        guard request.made(made) else {
            throw RemoteError.idempotencyMismatch("reservation \(made.id) was made by another request (lot, taker or baskets differ)")
        }
        return made
    }

    /// The reasons a reservation is refused, checked in this order.
    static func check(_ request: ReservationRequests.Create, _ availability: Availability, now: Date) throws(RemoteError) {
        let lot = availability.lot
        if let refusal = LotHolding.refusal(lot.id, lot.state) { throw refusal }
        guard !lot.withdrawn else { throw RemoteError.conflict("the lot was withdrawn") }
        guard lot.pickupEnd > now else { throw RemoteError.conflict("the lot's pickup window has ended") }
        guard !lot.isFree || request.takerIsBeneficiary else { throw RemoteError.notFound("no lot \(lot.id)") }
        guard request.baskets >= 1 else { throw RemoteError.invalid("baskets", "baskets must be at least 1") }
        guard request.takerId != lot.merchantId else { throw RemoteError.forbidden("a merchant does not reserve their own lot") }
        guard availability.remaining >= request.baskets else {
            throw RemoteError(code: "conflict", message: availability.remaining == 0
                ? "the lot is sold out" : "only \(availability.remaining) baskets are left", field: "baskets")
        }
    }

    public func cancel(_ request: ReservationRequests.Cancel, now: Date = Date()) async throws -> Reservation {
        let book = self
        return try await database.write { db in
            guard let reservation = try Self.reservations(db, "id = ?", [request.reservationId]).first else {
                try book.refuseUnlessHeld(request.lotId, in: db)
                throw RemoteError.notFound("no reservation \(request.reservationId)")
            }
            guard reservation.takerId == request.actorId else { throw RemoteError.notFound("no reservation \(request.reservationId)") }
            guard reservation.status == .active else { throw RemoteError.conflict("the reservation is \(reservation.status.rawValue)") }
            guard now < reservation.pickupStart else {
                throw RemoteError.conflict("a reservation can be cancelled until its pickup window starts")
            }
            return try book.change(reservation, to: .cancelled, reason: .takerCancelled, in: db)
        }
    }

    /// Refuses a command about `lotId` if this worker has its row and does not hold it: the lot is
    /// moving here, or another worker holds it.
    func refuseUnlessHeld(_ lotId: String, in db: Database) throws {
        if let state = try holding(db).state(of: lotId), let refusal = LotHolding.refusal(lotId, state) { throw refusal }
    }

    /// `refuseUnlessHeld`, in a read of its own.
    public func refuseUnlessHeld(_ lotId: String) async throws {
        let book = self
        try await database.read { db in try book.refuseUnlessHeld(lotId, in: db) }
    }

    public func reservation(id: String) async throws -> Reservation? {
        try await database.read { db in try Self.reservations(db, "id = ?", [id]).first }
    }

    /// In one read: the reservation already made with `id`, else the lot's availability (nil
    /// when this worker has not seen the lot).
    public func madeOrAvailability(id: String, lotId: String) async throws -> (made: Reservation?, availability: Availability?) {
        try await database.read { db in
            if let made = try Self.reservations(db, "id = ?", [id]).first { return (made, nil) }
            return (nil, try Self.availability(lotId, db))
        }
    }

    public func reservations(takerId: String) async throws -> [Reservation] {
        try await database.read { db in try Self.reservations(db, "taker_id = ? ORDER BY created_at DESC LIMIT 200", [takerId]) }
    }

    /// The lot's reservations, oldest first, optionally in one state only (at most 500: a lot has at most 500 baskets).
    public func reservations(lotId: String, status: ReservationStatus?) async throws -> [Reservation] {
        try await database.read { db in
            if let status {
                return try Self.reservations(db, "lot_id = ? AND status = ? ORDER BY created_at, id LIMIT 500", [lotId, status.rawValue])
            }
            return try Self.reservations(db, "lot_id = ? ORDER BY created_at, id LIMIT 500", [lotId])
        }
    }

    /// Active reservations whose window has ended become no-shows.
    @discardableResult
    public func markNoShows(now: Date = Date()) async throws -> Int {
        let book = self
        return try await database.write { db in
            let overdue = try Self.reservations(db, "status = 'active'", []).filter { $0.pickupEnd <= now }
            for reservation in overdue { try book.change(reservation, to: .noShow, reason: .notCollected, in: db) }
            return overdue.count
        }
    }

    /// Forgets the pickups kept a day ago or more: a lot moves only until shortly after its window
    /// (`LotHandover.grace`), and a handover arrives within a relay round trip of its giver's tick.
    public func forgetPendingPickups(now: Date = Date()) async throws {
        let kept = EventTime.format(now.addingTimeInterval(-86_400))
        try await database.write { db in
            try db.execute(sql: "DELETE FROM lot_pickups_pending WHERE kept_at < ?", arguments: [kept])
        }
    }

    @discardableResult
    func change(_ reservation: Reservation, to status: ReservationStatus, reason: ReservationChanged.Reason, in db: Database) throws -> Reservation {
        var updated = reservation
        updated.status = status
        let body = try store(updated, in: db)
        let topic = status == .noShow ? ReservationChanged.noShowTopic : ReservationChanged.cancelledTopic
        try outbox.append(topic, try Self.changed(body, reason: reason), in: db)
        return updated
    }

    /// Writes the reservation's new state; answers the JSON written, for an event to carry as it is.
    @discardableResult
    func store(_ reservation: Reservation, in db: Database) throws -> EncodedPayload<Reservation> {
        let body = try EncodedPayload(reservation)
        try db.cachedStatement(sql: "UPDATE reservations SET status = ?, body = ?, updated_at = ? WHERE id = ?").execute(
            arguments: [reservation.status.rawValue, body.json, EventTime.format(Date()), reservation.id])
        return body
    }

    /// The `reservation.*` event of a reservation whose row holds `body`, without encoding it again.
    static func changed(_ body: EncodedPayload<Reservation>, reason: ReservationChanged.Reason) throws -> EncodedPayload<ReservationChanged> {
        try EncodedPayload(wrapping: body, as: "reservation", besides: ["reason": reason])
    }

    static func reservations(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws -> [Reservation] {
        // Each call site passes one fixed condition, so the statements cached stay few.
        try Data.fetchAll(db.cachedStatement(sql: "SELECT body FROM reservations WHERE \(condition)"), arguments: arguments).map {
            try EventCodec.decoder.decode(Reservation.self, from: $0)
        }
    }
}
