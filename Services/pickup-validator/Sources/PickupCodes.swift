import Crypto
import Foundation
import GRDB

/// Pickup codes, derived from the reservation id with a secret only the pickup validator holds:
/// - the token (what the QR code carries) is `<reservation id>.<MAC>`, opaque to anyone else and
///   impossible to forge;
/// - the PIN is six digits from another MAC of the id.
/// Nothing needs storing to issue them, and the same reservation always gets the same code.
public struct PickupCodes: Sendable {
    private let key: SymmetricKey

    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    public func token(for reservationId: String) -> String {
        "\(reservationId).\(Self.base64url(Data(mac("token:" + reservationId)).prefix(18)))"
    }

    public func pin(for reservationId: String) -> String {
        let bytes = Array(mac("pin:" + reservationId).prefix(8))
        let value = bytes.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) } % 1_000_000
        return String(format: "%06llu", value)
    }

    /// The reservation id a token stands for, if the token is genuine.
    public func reservationId(from token: String) -> String? {
        guard let dot = token.lastIndex(of: ".") else { return nil }
        let id = String(token[..<dot])
        guard !id.isEmpty, id.count <= 64 else { return nil }
        let expected = self.token(for: id)
        let a = Array(expected.utf8), b = Array(token.utf8)
        guard a.count == b.count, zip(a, b).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return id
    }

    private func mac(_ text: String) -> HMAC<SHA256>.MAC {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The secret, made once and kept in the pickup validator's store.
    public static func loadOrCreateSecret(_ database: any DatabaseWriter) throws -> Data {
        try database.write { db in
            if let secret = try Data.fetchOne(db, sql: "SELECT secret FROM pickup_secret LIMIT 1") { return secret }
            var generator = SystemRandomNumberGenerator()
            let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try db.execute(sql: "INSERT INTO pickup_secret (secret) VALUES (?)", arguments: [secret])
            return secret
        }
    }
}
