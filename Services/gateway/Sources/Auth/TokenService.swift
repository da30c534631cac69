import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// The claims of an access token: who, which session, until when.
public struct AccessClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var sid: String
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var typ: String

    public func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
        guard typ == "access" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an access token") }
    }
}

/// Issues and checks short-lived access tokens (JWT, HS256, with the signing key's id as `kid`).
/// Keys rotate: new tokens use the newest key; a token of an older key is accepted until that key
/// retires, which is once every token it signed has expired.
public final class TokenService: Sendable {
    public static let accessLifetime: TimeInterval = 15 * 60
    public static let refreshLifetime: TimeInterval = 30 * 24 * 3600
    /// How long a replaced key still verifies: the longest an access token lives, and a minute.
    public static var retirement: TimeInterval { accessLifetime + 60 }

    private let collection = JWTKeyCollection()
    private let keys: Mutex<[SigningKey]>

    /// - Parameter keys: oldest first; the newest signs.
    public init(keys: [SigningKey]) async {
        self.keys = Mutex(keys)
        for (index, key) in keys.enumerated() {
            await add(key)
            // Tokens made before keys had ids carry no `kid`: the oldest key is theirs.
            if index == 0 { await collection.add(hmac: HMACKey(key: SymmetricKey(data: key.secret)), digestAlgorithm: .sha256) }
        }
    }

    private func add(_ key: SigningKey) async {
        await collection.add(hmac: HMACKey(key: SymmetricKey(data: key.secret)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
    }

    public func accessToken(accountID: String, sessionID: String, now: Date = Date()) async throws -> String {
        let current = keys.withLock { $0.last! }
        return try await collection.sign(
            AccessClaims(
                sub: SubjectClaim(value: accountID), sid: sessionID,
                exp: ExpirationClaim(value: now.addingTimeInterval(Self.accessLifetime)),
                iat: IssuedAtClaim(value: now), typ: "access"),
            kid: JWKIdentifier(string: current.id))
    }

    /// The claims of a valid, unexpired access token whose key has not retired, or nil.
    public func verify(_ token: String, now: Date = Date()) async -> AccessClaims? {
        let kid = Self.keyID(of: token)
        let key = keys.withLock { keys in kid.map { kid in keys.first { $0.id == kid } } ?? keys.first }
        guard let key, key.retiresAt.map({ now < $0 }) ?? true else { return nil }
        return try? await collection.verify(token, as: AccessClaims.self)
    }

    /// Adds a newest key (stored first); the previous ones retire once their tokens have expired.
    public func rotate(_ database: any DatabaseWriter, now: Date = Date()) async throws -> (key: SigningKey, retiring: Date) {
        let retiring = now.addingTimeInterval(Self.retirement)
        let key = try SigningSecret.rotate(database, now: now, retiring: retiring)
        await add(key)
        keys.withLock { keys in
            keys = keys.map { $0.retiresAt == nil ? SigningKey(id: $0.id, secret: $0.secret, createdAt: $0.createdAt, retiresAt: retiring) : $0 } + [key]
        }
        return (key, retiring)
    }

    /// The `kid` of a token's header, without verifying anything.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["kid"] as? String
    }
}
