import Foundation

/// Bus requests about a collector mission's delivery code. The code is derived by the pickup
/// validator from the mission's reservation id, as its pickup PIN is (docs/decisions/0006), so no
/// hash of it is stored in a matcher worker or travels in `lot.handed-over`.
extension PickupRequests {
    /// The association's delivery code of a mission, by the mission's reservation.
    public static let deliveryCode = "pickup.delivery-code"
    /// Checks a delivery code; five wrong codes lock it, as five wrong PINs lock a pickup code.
    public static let checkDelivery = "pickup.check-delivery"

    /// The refusal of a wrong delivery code; field `deliveryCode`.
    public static let wrongDeliveryCode = "wrong_delivery_code"

    /// Asks for the delivery code of the mission holding `reservationId`.
    public struct DeliveryCodeQuery: Codable, Sendable {
        public var reservationId: String
        public init(reservationId: String) { self.reservationId = reservationId }
    }

    /// Six digits the association gives the collector at the door.
    public struct DeliveryCode: Codable, Sendable, Equatable {
        public var reservationId: String
        public var code: String
        public init(reservationId: String, code: String) { self.reservationId = reservationId; self.code = code }
    }

    /// Checks `code` for the mission holding `reservationId`. A mission created before derived codes
    /// sends the SHA-256 (hex) of the random code it was shown, and is checked against it, with the
    /// same count of wrong codes.
    public struct DeliveryCheck: Codable, Sendable {
        public var reservationId: String
        public var code: String
        public var legacyHash: String?
        public init(reservationId: String, code: String, legacyHash: String? = nil) {
            self.reservationId = reservationId; self.code = code; self.legacyHash = legacyHash
        }
    }
}
