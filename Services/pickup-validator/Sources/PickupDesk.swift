import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// The pickup validator's view of reservations (from the matcher's events), quotas of free lots,
/// and the check at the counter: token, PIN, merchant, window, state.
public struct PickupDesk: Sendable {
    public static let maximumWrongPins = 5

    public static let migrations: [Migration] = [
        Migration("pickup.v2.reservations-quotas") { db in
            try db.execute(sql: """
                CREATE TABLE pickup_secret (secret BLOB NOT NULL);
                CREATE TABLE pickup_reservations (
                    id TEXT PRIMARY KEY NOT NULL,
                    status TEXT NOT NULL,
                    failed_attempts INTEGER NOT NULL DEFAULT 0,
                    body BLOB NOT NULL
                );
                CREATE TABLE quota_claims (
                    reservation_id TEXT PRIMARY KEY NOT NULL,
                    beneficiary_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    released INTEGER NOT NULL DEFAULT 0,
                    claimed_at TEXT NOT NULL
                );
                CREATE INDEX quota_claims_day ON quota_claims(beneficiary_id, day, released);
                """)
        },
        Migration("pickup.v3.key-ring") { db in
            // The one secret becomes key `k1` of a ring that rotates (PickupCodes).
            try db.execute(sql: """
                CREATE TABLE pickup_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    secret BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    retires_at TEXT
                );
                INSERT INTO pickup_keys (id, secret, created_at) SELECT 'k1', secret, '2000-01-01T00:00:00.000Z' FROM pickup_secret LIMIT 1;
                DROP TABLE pickup_secret;
                """)
        },
        Migration("pickup.v4.quota-baskets") { db in
            // The quota counts baskets, not reservations; a claim from before took one.
            try db.execute(sql: "ALTER TABLE quota_claims ADD COLUMN baskets INTEGER NOT NULL DEFAULT 1")
        },
    ]

    let database: DatabasePool
    let outbox: Outbox
    let codes: PickupCodes

    public init(database: DatabasePool, outbox: Outbox, codes: PickupCodes) {
        self.database = database
        self.outbox = outbox
        self.codes = codes
    }

    // MARK: - Quotas

    /// The calendar day of `date` in Europe/Paris, e.g. `2026-11-22`.
    public static func parisDay(_ date: Date) -> String { PickupRequests.quotaDay(date) }

    /// Takes the reservation's baskets from the beneficiary's free baskets for today, or refuses
    /// with `quota_exceeded` when they would go over. One transaction in the single pickup
    /// validator: two workers' claims are counted one after the other, never both against the same slot.
    public func claim(_ request: PickupRequests.QuotaClaim, now: Date = Date()) async throws {
        let day = Self.parisDay(now)
        let baskets = request.baskets ?? 1
        let allowance = PickupRequests.freeBasketsPerDay
        guard baskets >= 1 else { throw RemoteError.invalid("baskets", "baskets must be at least 1") }
        try await database.write { db in
            let used = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(baskets), 0) FROM quota_claims WHERE beneficiary_id = ? AND day = ? AND released = 0 AND reservation_id <> ?"),
                arguments: [request.beneficiaryId, day, request.reservationId]) ?? 0
            guard used + baskets <= allowance else {
                let left = max(0, allowance - used)
                throw RemoteError(
                    code: "quota_exceeded",
                    message: "a beneficiary reserves at most \(allowance) baskets of free lots per day (Europe/Paris); "
                        + (left == 0 ? "none is left today" : "\(left) left today, \(baskets) asked"),
                    field: "baskets")
            }
            // The same reservation id claims once. A claim given back by a reservation that failed is
            // taken again when the same command is retried, so the retried reservation is counted.
            try db.cachedStatement(sql: """
                    INSERT INTO quota_claims (reservation_id, beneficiary_id, day, claimed_at, baskets) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(reservation_id) DO UPDATE SET released = 0, day = excluded.day, claimed_at = excluded.claimed_at,
                        baskets = excluded.baskets
                    WHERE quota_claims.released = 1 AND quota_claims.beneficiary_id = excluded.beneficiary_id
                    """).execute(
                arguments: [request.reservationId, request.beneficiaryId, day, EventTime.format(now), baskets])
        }
    }

    public func release(reservationId: String) async throws {
        try await database.write { db in try Self.release(reservationId, db) }
    }

    static func release(_ reservationId: String, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE quota_claims SET released = 1 WHERE reservation_id = ?").execute(arguments: [reservationId])
    }

    // MARK: - Reservations, from the matcher's events

    func apply(_ change: ReservationChanged, in db: Database) throws {
        let reservation = change.reservation
        // Never move a reservation back from a final state (events of two producers can cross).
        if let current = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM pickup_reservations WHERE id = ?"), arguments: [reservation.id]),
           current != ReservationStatus.active.rawValue {
            return
        }
        try db.cachedStatement(sql: """
                INSERT INTO pickup_reservations (id, status, body) VALUES (?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body
                """).execute(
            arguments: [reservation.id, reservation.status.rawValue, try EventCodec.encoder.encode(reservation)])
        if reservation.status == .cancelled { try Self.release(reservation.id, db) }
    }

    // MARK: - Codes and validation

    public func code(for reservationId: String) -> PickupRequests.PickupCode {
        PickupRequests.PickupCode(reservationId: reservationId, token: codes.token(for: reservationId), pin: codes.pin(for: reservationId))
    }

    /// Why a pickup is refused: each case has its own code.
    public enum Refusal: String, Sendable {
        case invalidToken = "invalid_token"
        case unknownReservation = "unknown_reservation"
        case cancelled = "reservation_cancelled"
        case alreadyUsed = "code_already_used"
        case locked = "code_locked"
        case wrongMerchant = "wrong_merchant"
        case windowEnded = "window_ended"
        case windowNotStarted = "window_not_started"
        case wrongPin = "wrong_pin"
        case noShow = "reservation_no_show"
    }

    public func validate(_ request: PickupRequests.Validate, now: Date = Date()) async throws -> PickupCompleted {
        guard let reservationId = codes.reservationId(from: request.token) else {
            throw Self.refuse(.invalidToken, "this code was not issued by EcoResupply")
        }
        let outbox = self.outbox
        let codes = self.codes
        // The transaction commits wrong-PIN counts even when the answer is a refusal.
        let outcome: Result<PickupCompleted, RemoteError> = try await database.write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM pickup_reservations WHERE id = ?"), arguments: [reservationId]) else {
                return .failure(Self.refuse(.unknownReservation, "no reservation for this code yet; try again in a moment"))
            }
            let reservation = try EventCodec.decoder.decode(Reservation.self, from: row["body"] as Data)
            let status = ReservationStatus(rawValue: row["status"]) ?? .active
            let failed: Int = row["failed_attempts"]
            switch status {
            case .cancelled: return .failure(Self.refuse(.cancelled, "the reservation was cancelled"))
            case .collected: return .failure(Self.refuse(.alreadyUsed, "this code was already used"))
            case .noShow: return .failure(Self.refuse(.noShow, "the reservation was not collected in its window"))
            case .active: break
            }
            if failed >= Self.maximumWrongPins { return .failure(Self.refuse(.locked, "too many wrong PINs; the code is locked")) }
            let validator = request.validator
            let mayValidate = validator.accountId == reservation.merchantId
                || (reservation.organisationId.map { validator.organisationIds.contains($0) } ?? false)
            guard mayValidate else { return .failure(Self.refuse(.wrongMerchant, "this reservation is for another merchant")) }
            guard now >= reservation.pickupStart else {
                return .failure(Self.refuse(.windowNotStarted, "the pickup window opens at \(EventTime.format(reservation.pickupStart))"))
            }
            guard now <= reservation.pickupEnd else { return .failure(Self.refuse(.windowEnded, "the pickup window has ended")) }
            guard request.pin == codes.pin(forToken: request.token) else {
                try db.cachedStatement(sql: "UPDATE pickup_reservations SET failed_attempts = failed_attempts + 1 WHERE id = ?").execute(arguments: [reservationId])
                let left = Self.maximumWrongPins - failed - 1
                return .failure(left > 0
                    ? Self.refuse(.wrongPin, "wrong PIN; \(left) attempts left")
                    : Self.refuse(.locked, "wrong PIN; the code is now locked"))
            }
            var collected = reservation
            collected.status = .collected
            try db.cachedStatement(sql: "UPDATE pickup_reservations SET status = ?, body = ? WHERE id = ?").execute(
                arguments: [ReservationStatus.collected.rawValue, try EventCodec.encoder.encode(collected), reservationId])
            var completed = PickupCompleted(
                reservationId: reservationId, lotId: reservation.lotId, takerId: reservation.takerId, merchantId: reservation.merchantId,
                validatedBy: validator.accountId, baskets: reservation.baskets,
                meals: reservation.mealsPerBasket * Double(reservation.baskets),
                weightKg: reservation.weightPerBasketKg * Double(reservation.baskets),
                valueSavedCents: (reservation.originalValueCents - reservation.priceCents) * reservation.baskets,
                isFree: reservation.isFree, completedAt: now)
            completed.listingId = reservation.listingId
            try outbox.append(PickupCompleted.topic, completed, in: db)
            return .success(completed)
        }
        return try outcome.get()
    }

    static func refuse(_ refusal: Refusal, _ message: String) -> RemoteError {
        RemoteError(code: refusal.rawValue, message: message)
    }
}

/// Applies the matcher's reservation events to the pickup desk.
public struct PickupDeskProjection: EventHandler {
    let desk: PickupDesk
    public init(desk: PickupDesk) { self.desk = desk }
    public var topicPrefixes: [String] { ["reservation."] }
    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        try desk.apply(try event.decodeData(ReservationChanged.self), in: db)
    }
}
