import EcoModel
import Foundation
import Logging

/// Password change and reset, email change and session listing for the signed-in person: the
/// rules, the single-use tokens and their emails. Stores and mailer come in behind protocols, and
/// `clock` is the time (tests move it to expire tokens).
public struct AccountLifecycle: Sendable {
    /// A reset code works for an hour, an address confirmation for a day.
    public static let resetLifetime: TimeInterval = 3600
    public static let emailChangeLifetime: TimeInterval = 24 * 3600
    /// Reset emails one account may be sent per hour; more requests are answered the same, silently.
    public static let resetsPerHour = 3

    let accounts: any AccountStore
    let store: any LifecycleStore
    let hasher: any PasswordHasher
    let mailer: any LifecycleMailer
    let throttle: LoginThrottle
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(
        accounts: any AccountStore, store: any LifecycleStore, hasher: any PasswordHasher, mailer: any LifecycleMailer,
        throttle: LoginThrottle, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.accounts = accounts
        self.store = store
        self.hasher = hasher
        self.mailer = mailer
        self.throttle = throttle
        self.clock = clock
        self.logger = logger
    }

    // MARK: - Password

    /// Checks the current password, sets the new one, and closes every other session.
    public func changePassword(for principal: Principal, current: String, new: String) async throws {
        let password = try CredentialRules.password(new, field: "newPassword")
        try await checkPassword(current, of: principal.accountID, field: "currentPassword")
        let keeping: String? = if case .session(let id) = principal.credential { id } else { nil }
        try await store.setPasswordHash(await hasher.hash(password), for: principal.accountID, keepingSession: keeping, at: clock())
        logger.notice("password changed", metadata: ["account.id": "\(principal.accountID)"])
    }

    /// Emails a single-use reset code when the address has an account. Answers the same either
    /// way, so that nobody learns which addresses have accounts.
    public func requestPasswordReset(email rawEmail: String) async throws {
        let email = try CredentialRules.email(rawEmail)
        guard let account = try await accounts.credentials(email: email)?.account else { return }
        let now = clock()
        guard try await store.passwordResets(of: account.id, since: now.addingTimeInterval(-3600)) < Self.resetsPerHour else {
            logger.info("password reset not sent: hourly limit", metadata: ["account.id": "\(account.id)"])
            return
        }
        let token = SecretHash.randomToken()
        try await store.createPasswordReset(
            tokenHash: SecretHash.hex(token), accountID: account.id, at: now, expiresAt: now.addingTimeInterval(Self.resetLifetime))
        try await mailer.send(EmailRequests.Send(
            accountId: account.id, recipient: nil, dedupeKey: EmailRequests.passwordResetKey + SecretHash.hex(token),
            subject: "EcoResupply: choose a new password",
            body: """
                Someone asked to reset the password of your EcoResupply account. If it was you, use this code within an hour:

                \(token)

                (POST /v1/auth/password-reset/confirm with {"token": "…", "newPassword": "…"}.) It works once. If it was not you, ignore this email: your password stays as it is.
                """))
        logger.info("password reset sent", metadata: ["account.id": "\(account.id)"])
    }

    /// Sets a new password with a reset code, and closes every session of the account.
    public func resetPassword(token: String, new: String) async throws {
        let password = try CredentialRules.password(new, field: "newPassword")
        let invalid = APIError(.badRequest, code: "invalid_reset_token", message: "this reset code is unknown, used or expired; ask for a new one", field: "token")
        // The code is checked before the (deliberately slow) hash is made, and spent atomically after.
        guard try await store.isLivePasswordReset(tokenHash: SecretHash.hex(token), at: clock()) else { throw invalid }
        guard let accountID = try await store.redeemPasswordReset(tokenHash: SecretHash.hex(token), newHash: await hasher.hash(password), at: clock()) else {
            throw invalid
        }
        logger.notice("password reset", metadata: ["account.id": "\(accountID)"])
    }

    // MARK: - Email

    /// Sends a confirmation code to the new address; the account keeps its address until confirmed.
    public func requestEmailChange(for principal: Principal, newEmail rawEmail: String, password: String) async throws {
        let email = try CredentialRules.email(rawEmail)
        try await checkPassword(password, of: principal.accountID, field: "password")
        if let other = try await accounts.credentials(email: email)?.account {
            throw other.id == principal.accountID
                ? APIError.invalid("email", "this is already your address")
                : APIError(.conflict, code: "email_taken", message: "an account with this email exists", field: "email")
        }
        let now = clock()
        let token = SecretHash.randomToken()
        try await store.createEmailChange(
            tokenHash: SecretHash.hex(token), accountID: principal.accountID, newEmail: email, at: now,
            expiresAt: now.addingTimeInterval(Self.emailChangeLifetime))
        try await mailer.send(EmailRequests.Send(
            accountId: principal.accountID, recipient: email, dedupeKey: EmailRequests.emailChangeKey + SecretHash.hex(token),
            subject: "EcoResupply: confirm your new address",
            body: """
                To make this your EcoResupply address, use this code within a day:

                \(token)

                (POST /v1/auth/email-confirmation with {"token": "…"}.) If you did not ask for it, ignore this email.
                """))
    }

    public func confirmEmailChange(token: String) async throws -> Account {
        do {
            guard let account = try await store.confirmEmailChange(tokenHash: SecretHash.hex(token), at: clock()) else {
                throw APIError(.badRequest, code: "invalid_confirmation_token", message: "this confirmation code is unknown, used or expired", field: "token")
            }
            logger.notice("email changed", metadata: ["account.id": "\(account.id)"])
            return account
        } catch AccountStoreError.emailTaken {
            throw APIError(.conflict, code: "email_taken", message: "another account took this address meanwhile", field: "token")
        }
    }

    // MARK: - Sessions

    public func sessions(of principal: Principal) async throws -> [SessionInfo] {
        let current: String? = if case .session(let id) = principal.credential { id } else { nil }
        return try await store.liveSessions(of: principal.accountID, at: clock()).map {
            SessionInfo(id: $0.id, createdAt: $0.createdAt, expiresAt: $0.expiresAt, current: $0.id == current)
        }
    }

    /// Closes one of the caller's sessions; 404 for a session that is not theirs or not live.
    public func revokeSession(_ id: String, of principal: Principal) async throws {
        guard try await store.revokeSession(id, of: principal.accountID, at: clock()) else {
            throw APIError(.notFound, code: "not_found", message: "you have no live session \(id)")
        }
    }

    /// Checks the caller's password before an irreversible act (erasing the account).
    public func confirmPassword(_ password: String, of principal: Principal) async throws {
        try await checkPassword(password, of: principal.accountID, field: "password")
    }

    /// Verifies the account's password, slowing down repeated guesses as sign-in does.
    private func checkPassword(_ password: String, of accountID: String, field: String) async throws {
        // Only the signed-in person can guess here, so the pair is (account, their session).
        let key = "account:\(accountID)", client = "signed-in"
        if let wait = throttle.retryAfter(account: key, client: client) {
            throw APIError.rateLimited("too many wrong passwords", retryAfter: wait)
        }
        guard let hash = try await store.passwordHash(accountID: accountID), await hasher.verify(password, hash: hash) else {
            throttle.recordFailure(account: key, client: client)
            throw APIError(.forbidden, code: "wrong_password", message: "\(field) is not the account's password", field: field)
        }
        throttle.recordSuccess(account: key, client: client)
    }
}
