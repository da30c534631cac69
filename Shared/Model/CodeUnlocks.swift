import Foundation

/// The operator's bus request that clears the wrong attempts counted against a reservation's pickup
/// PIN and its collector mission's delivery code (`ecoresupply codes unlock`): after five wrong
/// ones a code is locked, and only this unlocks it. The code itself does not change.
extension PickupRequests {
    /// The kind of `UnlockCodes`, answered with `CodesUnlocked`; the command line's alone (`RequestCallers`).
    public static let unlockCodes = "pickup.unlock-codes"

    /// Unlocks the codes of `reservationId`; `reason` is written to the validator's log.
    public struct UnlockCodes: Codable, Sendable {
        public var reservationId: String
        public var reason: String
        /// Asks to unlock `reservationId`'s codes, saying why.
        public init(reservationId: String, reason: String) { self.reservationId = reservationId; self.reason = reason }
    }

    /// The wrong attempts cleared, and whether each code had been locked by them.
    public struct CodesUnlocked: Codable, Sendable, Equatable {
        public var reservationId: String
        public var pickupAttemptsCleared: Int
        public var pickupWasLocked: Bool
        public var deliveryAttemptsCleared: Int
        public var deliveryWasLocked: Bool
        /// What an unlock cleared, code by code.
        public init(reservationId: String, pickupAttemptsCleared: Int, pickupWasLocked: Bool, deliveryAttemptsCleared: Int, deliveryWasLocked: Bool) {
            self.reservationId = reservationId
            self.pickupAttemptsCleared = pickupAttemptsCleared
            self.pickupWasLocked = pickupWasLocked
            self.deliveryAttemptsCleared = deliveryAttemptsCleared
            self.deliveryWasLocked = deliveryWasLocked
        }
    }
}
