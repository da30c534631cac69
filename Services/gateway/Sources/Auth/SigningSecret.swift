import Foundation
import GRDB

/// The token signing secret: made once, kept in the gateway's store, so that access tokens stay
/// valid across restarts.
public enum SigningSecret {
    public static func loadOrCreate(_ database: any DatabaseWriter) throws -> Data {
        try database.write { db in
            if let secret = try Data.fetchOne(db, sql: "SELECT secret FROM signing_keys ORDER BY created_at DESC LIMIT 1") {
                return secret
            }
            var generator = SystemRandomNumberGenerator()
            let secret = Data((0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try db.execute(
                sql: "INSERT INTO signing_keys (id, secret, created_at) VALUES (?, ?, ?)",
                arguments: [UUID().uuidString.lowercased(), secret, ISO8601DateFormatter().string(from: Date())])
            return secret
        }
    }
}
