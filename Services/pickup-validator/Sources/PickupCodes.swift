import Crypto
import EcoBus
import Foundation
import GRDB
import Synchronization

/// Pickup codes, derived from the reservation id with a secret only the pickup validator holds:
/// - the token (what the QR code carries) is `<reservation id>.<key id>.<MAC>`, opaque to anyone
///   else and impossible to forge (tokens of the first key, `k1`, keep their older form
///   `<reservation id>.<MAC>`, so codes issued before any rotation stay as they were);
/// - the PIN is six digits from another MAC of the id under the same key.
/// Nothing needs storing to issue them. Keys rotate (`ecoresupply keys rotate`): new codes use the
/// newest key; a code made with an older key is accepted until that key retires.
public final class PickupCodes: Sendable {
    /// One key of the ring, by its id.
    public struct Key: Sendable {
        public let id: String
        let key: SymmetricKey
        /// When codes made with it stop being accepted; nil while it is the newest.
        public let retiresAt: Date?
    }

    /// The id of the first key, whose tokens carry no key id.
    public static let firstKeyID = "k1"
    /// How long codes of a replaced key are still accepted: longer than any pickup window.
    public static let retirement: TimeInterval = 30 * 86_400

    private let keys: Mutex<[Key]>

    public init(keys: [Key]) {
        self.keys = Mutex(keys)
    }

    /// One key, `k1` (tests, and stores made before rotation).
    public convenience init(secret: Data) {
        self.init(keys: [Key(id: Self.firstKeyID, key: SymmetricKey(data: secret), retiresAt: nil)])
    }

    var current: Key { keys.withLock { $0.last! } }

    public func token(for reservationId: String) -> String {
        let key = current
        let mac = Self.base64url(Data(Self.mac("token:" + reservationId, key.key)).prefix(18))
        return key.id == Self.firstKeyID ? "\(reservationId).\(mac)" : "\(reservationId).\(key.id).\(mac)"
    }

    public func pin(for reservationId: String) -> String { Self.pin(reservationId, current.key) }

    /// The PIN that goes with `token` (made with the token's key), if the token is genuine.
    public func pin(forToken token: String, at date: Date = Date()) -> String? {
        guard let (id, key) = verify(token, at: date) else { return nil }
        return Self.pin(id, key.key)
    }

    /// The reservation id a token stands for, if the token is genuine and its key not retired.
    public func reservationId(from token: String, at date: Date = Date()) -> String? { verify(token, at: date)?.0 }

    private func verify(_ token: String, at date: Date) -> (String, Key)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 64 else { return nil }
        let keyID = parts.count == 3 ? parts[1] : Self.firstKeyID
        guard let key = keys.withLock({ $0.first { $0.id == keyID } }), key.retiresAt.map({ date < $0 }) ?? true else { return nil }
        let expected = Self.base64url(Data(Self.mac("token:" + parts[0], key.key)).prefix(18))
        guard Self.same(expected, parts[parts.count - 1]) else { return nil }
        return (parts[0], key)
    }

    /// A collector mission's delivery code: six digits from a MAC of its reservation id, apart
    /// from the PIN, under the newest key.
    public func deliveryCode(for reservationId: String) -> String { Self.digits("delivery:" + reservationId, current.key) }

    /// Whether `code` is the delivery code of the reservation under a key not yet retired: a code
    /// given before a rotation stays good until its key retires, as pickup codes do.
    public func isDeliveryCode(_ code: String, for reservationId: String, at date: Date = Date()) -> Bool {
        let candidates = keys.withLock { $0.filter { $0.retiresAt.map { date < $0 } ?? true } }
        return candidates.reduce(false) { found, key in Self.same(Self.digits("delivery:" + reservationId, key.key), code) || found }
    }

    /// Compares in a time that does not depend on where the texts differ.
    private static func same(_ expected: String, _ given: String) -> Bool {
        let a = Array(expected.utf8), b = Array(given.utf8)
        return a.count == b.count && zip(a, b).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
    }

    private static func pin(_ reservationId: String, _ key: SymmetricKey) -> String { digits("pin:" + reservationId, key) }

    private static func digits(_ text: String, _ key: SymmetricKey) -> String {
        let bytes = Array(mac(text, key).prefix(8))
        let value = bytes.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) } % 1_000_000
        return String(format: "%06llu", value)
    }

    private static func mac(_ text: String, _ key: SymmetricKey) -> HMAC<SHA256>.MAC {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    // MARK: - The keys in the store

    /// The store's keys, oldest first, making the first one if there is none.
    public static func load(_ database: any DatabaseWriter) throws -> PickupCodes {
        try database.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pickup_keys") == 0 {
                try db.execute(
                    sql: "INSERT INTO pickup_keys (id, secret, created_at) VALUES (?, ?, ?)",
                    arguments: [firstKeyID, randomSecret(), EventTime.format(Date())])
            }
            return PickupCodes(keys: try Row.fetchAll(db, sql: "SELECT * FROM pickup_keys ORDER BY created_at, id").map {
                Key(id: $0["id"], key: SymmetricKey(data: $0["secret"] as Data), retiresAt: EventTime.parse($0["retires_at"] as String? ?? ""))
            })
        }
    }

    /// Adds a newest key, stored first; the previous one retires after `retirement`. Returns the new key's id.
    public func rotate(_ database: any DatabaseWriter, now: Date = Date()) throws -> String {
        let retiresAt = now.addingTimeInterval(Self.retirement)
        let key = try database.write { db -> Key in
            let numbers = try String.fetchAll(db, sql: "SELECT id FROM pickup_keys").compactMap { Int($0.dropFirst()) }
            let id = "k\((numbers.max() ?? 0) + 1)"
            let secret = Self.randomSecret()
            try db.execute(sql: "UPDATE pickup_keys SET retires_at = ? WHERE retires_at IS NULL", arguments: [EventTime.format(retiresAt)])
            try db.execute(sql: "INSERT INTO pickup_keys (id, secret, created_at) VALUES (?, ?, ?)", arguments: [id, secret, EventTime.format(now)])
            return Key(id: id, key: SymmetricKey(data: secret), retiresAt: nil)
        }
        keys.withLock { keys in
            keys = keys.map { $0.retiresAt == nil ? Key(id: $0.id, key: $0.key, retiresAt: retiresAt) : $0 } + [key]
        }
        return key.id
    }

    static func randomSecret() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
