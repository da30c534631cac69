import Crypto
import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Collector missions' delivery codes: issued from the mission's reservation id
/// (`PickupCodes.deliveryCode`), checked here, and locked after five wrong codes, as a pickup PIN is.
/// Nothing about a code is stored but the count of wrong ones.
public struct DeliveryCodeDesk: Sendable {
    /// Wrong codes after which a mission's delivery code is locked.
    public static let maximumWrongCodes = 5

    public static let migrations: [Migration] = [
        Migration("pickup.v5.delivery-attempts") { db in
            try db.create(table: DeliveryAttempts.databaseTableName) { table in
                table.primaryKey("reservation_id", .text)
                table.column("failed_attempts", .integer).notNull()
            }
        },
    ]

    let database: DatabasePool
    let codes: PickupCodes

    public init(database: DatabasePool, codes: PickupCodes) {
        self.database = database
        self.codes = codes
    }

    /// The delivery code of the mission holding `reservationId`, under the newest key.
    public func code(for reservationId: String) -> PickupRequests.DeliveryCode {
        PickupRequests.DeliveryCode(reservationId: reservationId, code: codes.deliveryCode(for: reservationId))
    }

    /// Accepts the reservation's delivery code, or refuses with `wrong_delivery_code` (counted, even
    /// though the answer is a refusal) or `code_locked` once five were wrong.
    public func check(_ request: PickupRequests.DeliveryCheck, now: Date = Date()) async throws {
        let codes = self.codes
        let outcome: Result<Void, RemoteError> = try await database.write { db in
            var attempts = try DeliveryAttempts.fetchOne(db, key: request.reservationId)
                ?? DeliveryAttempts(reservationId: request.reservationId, failedAttempts: 0)
            if attempts.failedAttempts >= Self.maximumWrongCodes {
                return .failure(PickupDesk.refuse(.locked, "too many wrong delivery codes; the code is locked"))
            }
            let right = if let legacy = request.legacyHash {
                Self.sha256Hex(request.code) == legacy
            } else {
                codes.isDeliveryCode(request.code, for: request.reservationId, at: now)
            }
            if right { return .success(()) }
            attempts.failedAttempts += 1
            try attempts.save(db)
            let left = Self.maximumWrongCodes - attempts.failedAttempts
            return .failure(left > 0
                ? RemoteError(code: PickupRequests.wrongDeliveryCode, message: "the delivery code is not the association's; \(left) attempts left", field: "deliveryCode")
                : PickupDesk.refuse(.locked, "wrong delivery code; the code is now locked"))
        }
        try outcome.get()
    }

    /// How missions created before derived codes stored their random code.
    static func sha256Hex(_ code: String) -> String {
        SHA256.hash(data: Data(code.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// A row of `delivery_attempts`: the wrong delivery codes given for a mission's reservation.
struct DeliveryAttempts: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "delivery_attempts"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    enum Columns {
        static let reservationId = Column("reservation_id")
        static let failedAttempts = Column("failed_attempts")
    }

    var reservationId: String
    var failedAttempts: Int
}
