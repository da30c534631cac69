import Foundation

/// `keys.rotate`, answered by the gateway (token signing keys) and the pickup validator (pickup-code
/// keys): each adds a newest key, used from now on; what older keys signed is still accepted until
/// those keys retire. Sent by `ecoresupply keys rotate`.
public enum KeyRequests {
    public static let rotate = "keys.rotate"

    /// The reply: which key now signs, and until when the keys it replaced are accepted.
    public struct Rotated: Codable, Sendable, Equatable {
        /// What the keys sign, e.g. `access tokens`.
        public var purpose: String
        public var keyId: String
        /// When the keys it replaced stop being accepted.
        public var previousRetireAt: Date
        public init(purpose: String, keyId: String, previousRetireAt: Date) {
            self.purpose = purpose; self.keyId = keyId; self.previousRetireAt = previousRetireAt
        }
    }
}
