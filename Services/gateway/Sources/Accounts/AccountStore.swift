import EcoModel
import Foundation

/// A new account to store, with its password already hashed.
public struct NewAccount: Sendable {
    public var email: String
    public var passwordHash: String
    public var displayName: String
    public var roles: Set<Role>
    /// Consents given at sign-up: purpose → version of the text.
    public var consents: [ConsentPurpose: String]

    public init(email: String, passwordHash: String, displayName: String, roles: Set<Role>, consents: [ConsentPurpose: String] = [:]) {
        self.email = email
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.roles = roles
        self.consents = consents
    }
}

/// Accounts, roles, organisations and the beneficiary projection. The gateway's routes depend on
/// this protocol; `SQLiteAccountStore` is the implementation (tests use it on an in-memory SQLite).
public protocol AccountStore: Sendable {
    /// Creates the account and announces it (`account.created`) in the same transaction.
    func create(_ account: NewAccount) async throws -> Account
    func account(id: String) async throws -> Account?
    /// The account and its password hash, for sign-in.
    func credentials(email: String) async throws -> (account: Account, passwordHash: String)?
    func roles(of accountID: String) async throws -> Set<Role>
    /// The account's roles and beneficiary status read together, or nil when there is no such
    /// account: what every signed-in request needs.
    func principalFacts(accountID: String) async throws -> PrincipalFacts?
    /// Adds or removes roles and announces the new set (`account.roles_changed`).
    func setRole(_ role: Role, granted: Bool, for accountID: String, by actor: String) async throws -> Account
    func accounts(page: Page) async throws -> PageResult<Account>

    func beneficiary(accountID: String) async throws -> BeneficiaryStatus?
    func recordBeneficiary(_ verified: BeneficiaryVerified) async throws

    func createOrganisation(name: String, kind: OrganisationKind, owner: String) async throws -> Organisation
    func organisation(id: String) async throws -> Organisation?
    /// The organisation and its members if `caller` may see them (a member, or an admin), filtered in the query.
    func organisation(id: String, visibleTo caller: Actor) async throws -> (Organisation, [Membership])?
    func memberships(of accountID: String) async throws -> [Membership]
    func members(of organisationID: String) async throws -> [Membership]
    func addMember(_ accountID: String, to organisationID: String, role: MemberRole) async throws -> Membership
    func removeMember(_ accountID: String, from organisationID: String) async throws
}

/// Sessions behind refresh tokens. Only hashes of refresh tokens are stored.
public protocol SessionStore: Sendable {
    func createSession(accountID: String, refreshHash: String, expiresAt: Date) async throws -> SessionRecord
    /// Replaces the session's refresh hash if `presented` is its current one and it is live.
    /// A presented hash that was already rotated away revokes the session (the token was stolen or
    /// replayed) and returns `.reused`.
    func rotate(presented: String, next: String, now: Date) async throws -> RefreshOutcome
    func session(id: String) async throws -> SessionRecord?
    func revoke(sessionID: String, at date: Date) async throws
}

public enum RefreshOutcome: Sendable, Equatable {
    case rotated(SessionRecord)
    case reused
    case invalid
}

/// API keys for machine clients. Only a hash of each key's secret is stored.
public protocol APIKeyStore: Sendable {
    func createKey(id: String, accountID: String, name: String, secretHash: String, createdBy: String) async throws -> APIKeyInfo
    /// The key's owner, if the key exists, is not revoked and its secret matches; records its use.
    func authenticate(id: String, secretHash: String, at date: Date) async throws -> String?
    func keys(of accountID: String) async throws -> [APIKeyInfo]
    func key(id: String) async throws -> APIKeyInfo?
    /// The key if `caller` owns it or is an admin, filtered in the query.
    func key(id: String, visibleTo caller: Actor) async throws -> APIKeyInfo?
    func revokeKey(id: String, at date: Date) async throws
}
