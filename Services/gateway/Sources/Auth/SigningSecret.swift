import EcoBus
import EcoStore
import Foundation
import GRDB

/// A token signing key of the gateway's store: access tokens carry its id (`kid`).
public struct SigningKey: Sendable, Equatable {
    public let id: String
    public let secret: Data
    public let createdAt: Date
    /// When tokens it signed stop being accepted; nil while it is the newest.
    public let retiresAt: Date?
}

/// The token signing keys, kept in the gateway's store so that access tokens survive restarts;
/// the first is made at the first start, more by `ecoresupply keys rotate`.
public enum SigningSecret {
    public static let migrations: [Migration] = [
        Migration("gateway.v6.signing-key-rotation") { db in
            try db.execute(sql: "ALTER TABLE signing_keys ADD COLUMN retires_at TEXT")
        },
    ]

    /// Every key, oldest first; makes one when there is none.
    public static func loadOrCreate(_ database: any DatabaseWriter) throws -> [SigningKey] {
        try database.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signing_keys") == 0 {
                _ = try insert(now: Date(), in: db)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM signing_keys ORDER BY created_at, id").map {
                SigningKey(
                    id: $0["id"], secret: $0["secret"], createdAt: EventTime.parse($0["created_at"]) ?? .distantPast,
                    retiresAt: EventTime.parse($0["retires_at"] as String? ?? ""))
            }
        }
    }

    /// Adds a newest key; the keys before it retire at `retiring`.
    static func rotate(_ database: any DatabaseWriter, now: Date, retiring: Date) throws -> SigningKey {
        try database.write { db in
            try db.execute(sql: "UPDATE signing_keys SET retires_at = ? WHERE retires_at IS NULL", arguments: [EventTime.format(retiring)])
            return try insert(now: now, in: db)
        }
    }

    private static func insert(now: Date, in db: Database) throws -> SigningKey {
        var generator = SystemRandomNumberGenerator()
        let key = SigningKey(
            id: UUID().uuidString.lowercased(), secret: Data((0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }),
            createdAt: now, retiresAt: nil)
        try db.execute(
            sql: "INSERT INTO signing_keys (id, secret, created_at) VALUES (?, ?, ?)",
            arguments: [key.id, key.secret, EventTime.format(now)])
        return key
    }
}
