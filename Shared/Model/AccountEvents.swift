import Foundation

/// `account.created`: someone signed up. Carries what other services need to address the person
/// (notifications by email); never the password or its hash.
public struct AccountCreated: Codable, Sendable, Equatable {
    public static let topic = "account.created"

    public var accountID: String
    public var email: String
    public var displayName: String
    public var roles: [Role]
    /// Whether the person agreed to notifications by email at sign-up (absent in events written
    /// before consent was recorded: no consent).
    public var emailNotifications: Bool?

    public init(accountID: String, email: String, displayName: String, roles: [Role], emailNotifications: Bool? = nil) {
        self.accountID = accountID
        self.email = email
        self.displayName = displayName
        self.roles = roles
        self.emailNotifications = emailNotifications
    }
}

/// `account.roles_changed`: an admin granted or withdrew a role.
public struct AccountRolesChanged: Codable, Sendable, Equatable {
    public static let topic = "account.roles_changed"

    public var accountID: String
    public var roles: [Role]
    public var changedBy: String

    public init(accountID: String, roles: [Role], changedBy: String) {
        self.accountID = accountID
        self.roles = roles
        self.changedBy = changedBy
    }
}

/// What a person agrees to, each recorded with the version of its text and withdrawable
/// (`terms_of_use` only by deleting the account).
public enum ConsentPurpose: String, Codable, Sendable, CaseIterable, Comparable {
    /// The terms of use: needed to hold an account.
    case termsOfUse = "terms_of_use"
    /// Notifications by email (in-app notifications need no consent).
    case emailNotifications = "email_notifications"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// `account.consent_changed`: a person granted or withdrew a consent. Notifications sends
/// notification emails only while `email_notifications` is granted.
public struct AccountConsentChanged: Codable, Sendable, Equatable {
    public static let topic = "account.consent_changed"

    public var accountID: String
    public var purpose: ConsentPurpose
    public var granted: Bool
    /// The version of the text consented to.
    public var version: String
    public var at: Date

    public init(accountID: String, purpose: ConsentPurpose, granted: Bool, version: String, at: Date) {
        self.accountID = accountID
        self.purpose = purpose
        self.granted = granted
        self.version = version
        self.at = at
    }
}

/// `account.email_changed`: a person confirmed a new address; notifications writes to it from now on.
public struct AccountEmailChanged: Codable, Sendable, Equatable {
    public static let topic = "account.email_changed"

    public var accountID: String
    public var email: String

    public init(accountID: String, email: String) {
        self.accountID = accountID
        self.email = email
    }
}

/// `account.snapshot`: an account's whole state as other services need it, written by the gateway in
/// place of the account's older events, which then go from its outbox (docs/decisions/0011). A
/// consumer applies it as it would the `account.created`, `account.roles_changed`,
/// `account.consent_changed` and `account.email_changed` it stands for.
public struct AccountSnapshot: Codable, Sendable, Equatable {
    public static let topic = "account.snapshot"
    /// The account events a snapshot stands for.
    public static let replaces = [AccountCreated.topic, AccountRolesChanged.topic, AccountConsentChanged.topic, AccountEmailChanged.topic]

    public var accountID: String
    public var email: String
    public var displayName: String
    public var roles: [Role]
    /// Whether notification emails are consented to now, and to which version of their text.
    public var emailNotifications: Bool
    public var emailNotificationsVersion: String?
    public var at: Date

    public init(accountID: String, email: String, displayName: String, roles: [Role], emailNotifications: Bool, emailNotificationsVersion: String?, at: Date) {
        self.accountID = accountID
        self.email = email
        self.displayName = displayName
        self.roles = roles
        self.emailNotifications = emailNotifications
        self.emailNotificationsVersion = emailNotificationsVersion
        self.at = at
    }
}
