import EcoModel
import Foundation

/// A person's or a machine client's account, as the API shows it (never with the password hash).
public struct Account: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var displayName: String
    public var roles: [Role]
    public var createdAt: Date
}

/// What a beneficiary verification left in the gateway (from `beneficiary.verified`).
public struct BeneficiaryStatus: Codable, Sendable, Equatable {
    public var code: String
    public var verifiedBy: String
    public var verifiedAt: Date
    public var validUntil: Date

    public func isValid(at date: Date) -> Bool { validUntil > date }
}

/// The kinds of organisation an account can act for.
public enum OrganisationKind: String, Codable, Sendable, CaseIterable {
    case shop, company, association, municipality
}

/// A member's standing in an organisation: owners manage members.
public enum MemberRole: String, Codable, Sendable, CaseIterable {
    case owner, member
}

public struct Organisation: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: OrganisationKind
    public var createdAt: Date
}

public struct Membership: Codable, Sendable, Equatable {
    public var organisationID: String
    public var accountID: String
    public var role: MemberRole
}

/// An API key as listed (the secret is shown once, at creation).
public struct APIKeyInfo: Codable, Sendable, Equatable {
    public var id: String
    public var accountID: String
    public var name: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    /// `accountId` in JSON, as in every other reply.
    enum CodingKeys: String, CodingKey {
        case id, accountID = "accountId", name, createdAt, revokedAt, lastUsedAt
    }
}

/// A session: one sign-in, renewed by refresh tokens until it expires or is revoked.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var accountID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
}

/// A session as its owner sees it in `GET /v1/me/sessions`.
public struct SessionInfo: Codable, Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var expiresAt: Date
    /// The session the listing request came with.
    public var current: Bool
}

/// One consent as recorded: what, which version of its text, when given, when withdrawn.
public struct ConsentRecord: Codable, Sendable, Equatable {
    public var purpose: ConsentPurpose
    public var version: String
    public var grantedAt: Date
    public var withdrawnAt: Date?
}
