import EcoModel
import Foundation

/// What sign-up, sign-in and refresh return.
public struct TokenPair: Codable, Sendable {
    public var tokenType = "Bearer"
    public var accessToken: String
    /// Seconds the access token stays valid.
    public var expiresIn: Int
    public var refreshToken: String
    public var account: Account
}

/// Sign-up, sign-in, refresh and sign-out. Passwords are hashed with bcrypt and never stored or
/// logged in clear; refresh tokens are random, stored hashed, and rotate on each use.
public struct AuthService: Sendable {
    let accounts: any AccountStore
    let sessions: any SessionStore
    let hasher: any PasswordHasher
    let tokens: TokenService
    let throttle: LoginThrottle
    /// Compared against when the email is unknown, so that sign-in takes as long either way.
    let decoyHash: String
    /// The version of the terms of use that sign-up must accept (`GET /v1/terms`).
    public let termsVersion: String

    public init(
        accounts: any AccountStore, sessions: any SessionStore, hasher: any PasswordHasher, tokens: TokenService, throttle: LoginThrottle,
        termsVersion: String
    ) async {
        self.termsVersion = termsVersion
        self.accounts = accounts
        self.sessions = sessions
        self.hasher = hasher
        self.tokens = tokens
        self.throttle = throttle
        decoyHash = await hasher.hash(SecretHash.randomToken(bytes: 16))
    }

    public struct SignUp: Codable, Sendable {
        public var email: String
        public var password: String
        public var displayName: String
        public var roles: [Role]?
        /// The version of the terms of use the person accepts: must be the current one.
        public var termsVersion: String
        /// Whether the person wants notifications by email too (no by default).
        public var emailNotifications: Bool?
    }

    public func signUp(_ request: SignUp) async throws -> TokenPair {
        let email = try CredentialRules.email(request.email)
        let password = try CredentialRules.password(request.password)
        let name = try CredentialRules.displayName(request.displayName)
        let roles = Set(request.roles ?? [.customer])
        guard !roles.isEmpty else { throw APIError.invalid("roles", "roles may not be empty") }
        guard roles.isSubset(of: Role.selfAssignable) else {
            throw APIError.invalid("roles", "at sign-up you may choose among \(Role.selfAssignable.sorted().map(\.rawValue).joined(separator: ", ")); other roles are granted")
        }
        guard request.termsVersion == termsVersion else {
            throw APIError.invalid("termsVersion", "accept the current terms of use, version \(termsVersion) (GET /v1/terms)")
        }
        var consents: [ConsentPurpose: String] = [.termsOfUse: termsVersion]
        if request.emailNotifications == true { consents[.emailNotifications] = termsVersion }
        let hash = await hasher.hash(password)
        let account: Account
        do {
            account = try await accounts.create(NewAccount(email: email, passwordHash: hash, displayName: name, roles: roles, consents: consents))
        } catch AccountStoreError.emailTaken {
            throw APIError(.conflict, code: "email_taken", message: "an account with this email exists; sign in instead", field: "email")
        }
        return try await openSession(for: account)
    }

    /// Signs in; `client` is the caller's address, which the throttle pairs with the email.
    public func logIn(email rawEmail: String, password: String, client: String) async throws -> TokenPair {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if let wait = throttle.retryAfter(account: email, client: client) {
            throw APIError.rateLimited("too many failed sign-ins", retryAfter: wait)
        }
        guard let found = try await accounts.credentials(email: email) else {
            _ = await hasher.verify(password, hash: decoyHash)
            throttle.recordFailure(account: email, client: client)
            throw Self.badCredentials
        }
        guard await hasher.verify(password, hash: found.passwordHash) else {
            throttle.recordFailure(account: email, client: client)
            throw Self.badCredentials
        }
        throttle.recordSuccess(account: email, client: client)
        return try await openSession(for: found.account)
    }

    public func refresh(_ refreshToken: String) async throws -> TokenPair {
        let next = SecretHash.randomToken()
        switch try await sessions.rotate(presented: SecretHash.hex(refreshToken), next: SecretHash.hex(next), now: Date()) {
        case .rotated(let session):
            guard let account = try await accounts.account(id: session.accountID) else { throw Self.badRefresh }
            return TokenPair(
                accessToken: try await tokens.accessToken(accountID: account.id, sessionID: session.id),
                expiresIn: Int(TokenService.accessLifetime), refreshToken: next, account: account)
        case .reused:
            throw APIError(.unauthorized, code: "refresh_reused", message: "this refresh token was already used; the session is closed, sign in again")
        case .invalid:
            throw Self.badRefresh
        }
    }

    public func logOut(_ principal: Principal) async throws {
        guard case .session(let id) = principal.credential else {
            throw APIError(.badRequest, code: "not_a_session", message: "API keys are revoked through /v1/api-keys, not signed out")
        }
        try await sessions.revoke(sessionID: id, at: Date())
    }

    private func openSession(for account: Account) async throws -> TokenPair {
        let refresh = SecretHash.randomToken()
        let session = try await sessions.createSession(
            accountID: account.id, refreshHash: SecretHash.hex(refresh), expiresAt: Date().addingTimeInterval(TokenService.refreshLifetime))
        return TokenPair(
            accessToken: try await tokens.accessToken(accountID: account.id, sessionID: session.id),
            expiresIn: Int(TokenService.accessLifetime), refreshToken: refresh, account: account)
    }

    static let badCredentials = APIError(.unauthorized, code: "invalid_credentials", message: "email or password is wrong")
    static let badRefresh = APIError(.unauthorized, code: "invalid_refresh", message: "the refresh token is invalid or expired; sign in again")
}
