import Crypto
import Foundation
import JWTKit

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

/// Issues and checks short-lived access tokens (JWT, HS256) and makes refresh tokens.
/// The signing secret lives in the gateway's store, so tokens survive a restart.
public struct TokenService: Sendable {
    public static let accessLifetime: TimeInterval = 15 * 60
    public static let refreshLifetime: TimeInterval = 30 * 24 * 3600

    private let keys: JWTKeyCollection

    public init(secret: Data) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.keys = keys
    }

    public func accessToken(accountID: String, sessionID: String, now: Date = Date()) async throws -> String {
        try await keys.sign(AccessClaims(
            sub: SubjectClaim(value: accountID), sid: sessionID,
            exp: ExpirationClaim(value: now.addingTimeInterval(Self.accessLifetime)),
            iat: IssuedAtClaim(value: now), typ: "access"))
    }

    /// The claims of a valid, unexpired access token, or nil.
    public func verify(_ token: String) async -> AccessClaims? {
        try? await keys.verify(token, as: AccessClaims.self)
    }
}
