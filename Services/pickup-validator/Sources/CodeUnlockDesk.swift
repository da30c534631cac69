import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
import Metrics

/// Clears the wrong attempts that locked a reservation's pickup PIN or its mission's delivery code,
/// at an operator's request (`ecoresupply codes unlock`), once support has checked who is at the
/// counter or the door. Each unlock is logged with its reason and counted.
public struct CodeUnlockDesk: Sendable {
    let database: DatabasePool
    let logger: Logger
    private let unlocked = Counter(label: "ecoresupply_codes_unlocked_total")

    /// Unlocks in `database`, the validator's store; each unlock is logged to `logger`.
    public init(database: DatabasePool, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Clears both counts of `request.reservationId`; refuses a reservation this validator has no
    /// code for and no delivery attempt of, and a blank reason.
    public func unlock(_ request: PickupRequests.UnlockCodes) async throws -> PickupRequests.CodesUnlocked {
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw RemoteError.invalid("reason", "reason must say why, in at most 500 characters") }
        let id = request.reservationId
        let result = try await database.write { db -> PickupRequests.CodesUnlocked? in
            let pickup = try Int.fetchOne(db.cachedStatement(sql: "SELECT failed_attempts FROM pickup_reservations WHERE id = ?"), arguments: [id])
            let delivery = try DeliveryAttempts.fetchOne(db, key: id)
            guard pickup != nil || delivery != nil else { return nil }
            if let pickup, pickup > 0 {
                try db.cachedStatement(sql: "UPDATE pickup_reservations SET failed_attempts = 0 WHERE id = ?").execute(arguments: [id])
            }
            if delivery != nil { _ = try DeliveryAttempts.deleteOne(db, key: id) }
            return PickupRequests.CodesUnlocked(
                reservationId: id, pickupAttemptsCleared: pickup ?? 0, pickupWasLocked: (pickup ?? 0) >= PickupDesk.maximumWrongPins,
                deliveryAttemptsCleared: delivery?.failedAttempts ?? 0,
                deliveryWasLocked: (delivery?.failedAttempts ?? 0) >= DeliveryCodeDesk.maximumWrongCodes)
        }
        guard let result else { throw RemoteError.notFound("no pickup code or delivery code is known for reservation \(id)") }
        unlocked.increment()
        logger.notice("codes unlocked by an operator", metadata: [
            "reservation.id": "\(id)", "unlock.reason": "\(reason)",
            "pickup.attempts_cleared": "\(result.pickupAttemptsCleared)", "delivery.attempts_cleared": "\(result.deliveryAttemptsCleared)",
        ])
        return result
    }
}
