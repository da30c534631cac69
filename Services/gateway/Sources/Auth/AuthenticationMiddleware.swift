import EcoModel
import Foundation
import Hummingbird

/// Reads `Authorization: Bearer …` (an access token or an API key) and sets `context.principal`.
/// No header leaves the request anonymous (public routes still answer, others give 401); a header
/// that does not check out is refused at once with 401.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    let resolver: PrincipalResolver

    public init(resolver: PrincipalResolver) {
        self.resolver = resolver
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.lowercased().hasPrefix("bearer "), case let credential = header.dropFirst(7).trimmingCharacters(in: .whitespaces),
              !credential.isEmpty
        else {
            throw APIError(.unauthorized, code: "unauthorized", message: "use Authorization: Bearer <access token or API key>")
        }
        guard let principal = try await resolver.resolve(credential) else {
            throw APIError(.unauthorized, code: "invalid_token", message: "the token or API key is invalid, expired or revoked")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "account.id"] = "\(principal.accountID)"
        return try await next(request, context)
    }
}

/// Turns a presented credential into a principal with its current roles.
public struct PrincipalResolver: Sendable {
    let accounts: any AccountStore
    let sessions: any SessionStore
    let keys: any APIKeyStore
    let tokens: TokenService

    public init(accounts: any AccountStore, sessions: any SessionStore, keys: any APIKeyStore, tokens: TokenService) {
        self.accounts = accounts
        self.sessions = sessions
        self.keys = keys
        self.tokens = tokens
    }

    public func resolve(_ credential: String, now: Date = Date()) async throws -> Principal? {
        if let key = APIKey(presented: credential) {
            guard let accountID = try await keys.authenticate(id: key.id, secretHash: SecretHash.hex(key.secret), at: now) else { return nil }
            return try await principal(accountID, credential: .apiKey(id: key.id), now: now)
        }
        guard let claims = await tokens.verify(credential),
              let session = try await sessions.session(id: claims.sid),
              session.revokedAt == nil, session.expiresAt > now, session.accountID == claims.sub.value
        else { return nil }
        return try await principal(claims.sub.value, credential: .session(id: session.id), now: now)
    }

    func principal(_ accountID: String, credential: Principal.Credential, now: Date) async throws -> Principal? {
        guard let facts = try await accounts.principalFacts(accountID: accountID) else { return nil }
        var roles = facts.roles
        if let status = facts.beneficiary, status.isValid(at: now) {
            roles.insert(.beneficiary)
        }
        return Principal(accountID: accountID, roles: roles, credential: credential)
    }
}

/// An API key as presented: `erk_<id>_<secret>`. The id finds the key; only the secret's hash is stored.
public struct APIKey: Sendable, Equatable {
    public static let prefix = "erk_"

    public let id: String
    public let secret: String

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    public init?(presented: String) {
        guard presented.hasPrefix(Self.prefix) else { return nil }
        let rest = presented.dropFirst(Self.prefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let id = String(rest[..<separator]), secret = String(rest[rest.index(after: separator)...])
        guard id.count == 12, secret.count >= 32 else { return nil }
        self.init(id: id, secret: secret)
    }

    /// A new key: a 12-character id and a 256-bit secret.
    public static func generate() -> APIKey {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let id = String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })
        return APIKey(id: id, secret: SecretHash.randomToken(bytes: 32).replacingOccurrences(of: "_", with: "-"))
    }

    public var presented: String { "\(Self.prefix)\(id)_\(secret)" }
}
