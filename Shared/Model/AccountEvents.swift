import Foundation

/// `account.created`: someone signed up. Carries what other services need to address the person
/// (notifications by email); never the password or its hash.
public struct AccountCreated: Codable, Sendable, Equatable {
    public static let topic = "account.created"

    public var accountID: String
    public var email: String
    public var displayName: String
    public var roles: [Role]

    public init(accountID: String, email: String, displayName: String, roles: [Role]) {
        self.accountID = accountID
        self.email = email
        self.displayName = displayName
        self.roles = roles
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
