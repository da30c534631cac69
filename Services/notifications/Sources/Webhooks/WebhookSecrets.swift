import Crypto
import Foundation
import GRDB

/// Webhook secrets are kept encrypted in notifications' store (AES-GCM under a key in a separate
/// file, `--secrets-key-file`), so that a copy of the SQLite file or a backup does not give away
/// the secrets authorities verify our signatures with. Notifications opens them only to sign.
public struct WebhookSecrets: Sendable {
    /// What a sealed secret starts with in the store.
    public static let prefix = "enc1:"
    let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// The key in `file` (32 bytes), made with mode 0600 when missing.
    public static func load(keyFile file: URL) throws -> WebhookSecrets {
        if let data = FileManager.default.contents(atPath: file.path) {
            guard data.count == 32 else { throw WebhookSecretsError.badKeyFile(file.path, data.count) }
            return WebhookSecrets(key: SymmetricKey(data: data))
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw WebhookSecretsError.cannotWrite(file.path)
        }
        return WebhookSecrets(key: key)
    }

    public func seal(_ secret: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else { throw WebhookSecretsError.cannotSeal }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret a stored value holds; a value from before encryption is returned as it is.
    public func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else { throw WebhookSecretsError.cannotSeal }
        return String(decoding: try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }

    /// Encrypts the secrets stored before encryption; returns how many.
    @discardableResult
    public func sealStored(in database: any DatabaseWriter) throws -> Int {
        try database.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, secret FROM webhook_subscriptions WHERE secret NOT LIKE 'enc1:%'")
            for row in rows {
                try db.execute(
                    sql: "UPDATE webhook_subscriptions SET secret = ? WHERE id = ?", arguments: [try seal(row["secret"]), row["id"] as String])
            }
            return rows.count
        }
    }
}

public enum WebhookSecretsError: Error, CustomStringConvertible {
    case badKeyFile(String, Int)
    case cannotWrite(String)
    case cannotSeal

    public var description: String {
        switch self {
        case .badKeyFile(let path, let count): "\(path) holds \(count) bytes; a webhook secrets key is 32"
        case .cannotWrite(let path): "cannot write the webhook secrets key to \(path)"
        case .cannotSeal: "cannot encrypt a webhook secret"
        }
    }
}
