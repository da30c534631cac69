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

    public struct DeliveryCheck: Codable, Sendable {
        public var reservationId: String
        public var code: String
        public init(reservationId: String, code: String) { self.reservationId = reservationId; self.code = code }
    }
}
