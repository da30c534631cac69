import Foundation

/// `account.erased`: a person's account was erased (by themselves or by an admin acting on their
/// request). Every service erases or pseudonymises what it holds about the account, rewrites its
/// own stored events, and answers with `privacy.erased` (docs/decisions/0010).
public struct AccountErased: Codable, Sendable, Equatable {
    public static let topic = "account.erased"

    public var accountID: String
    /// `self` or `admin`.
    public var requestedBy: String
    public var at: Date
    /// The organisations whose only member the person was (a sole trader's): their offers go with
    /// the person. Absent in events written before it was recorded.
    public var soleOrganisationIds: [String]?

    public init(accountID: String, requestedBy: String, at: Date, soleOrganisationIds: [String] = []) {
        self.accountID = accountID
        self.requestedBy = requestedBy
        self.at = at
        self.soleOrganisationIds = soleOrganisationIds
    }

    /// Whether an offer published by the account for `organisationId` (nil: for no organisation)
    /// is the person's own, and goes with them.
    public func ownsOffer(publishedBy publisher: String, for organisationId: String?) -> Bool {
        publisher == accountID && (organisationId.map { (soleOrganisationIds ?? []).contains($0) } ?? true)
    }
}

/// `privacy.erased`: one service instance finished erasing an account (for the erasure's progress).
public struct PersonalDataErased: Codable, Sendable, Equatable {
    public static let topic = "privacy.erased"

    public var accountID: String
    /// The instance that erased, e.g. `matcher-1`.
    public var instance: String
    /// Rows and stored events changed, for the operator.
    public var rows: Int
    public var events: Int

    public init(accountID: String, instance: String, rows: Int, events: Int) {
        self.accountID = accountID
        self.instance = instance
        self.rows = rows
        self.events = events
    }
}

/// What stands in for erased values in stored events and rows: the shapes stay valid, the person is gone.
public enum Erased {
    public static let text = "[erased]"
    public static let email = "erased@erased.invalid"
}

/// Bus requests of the privacy rights, answered by every service.
public enum PrivacyRequests {
    /// `GET /v1/me/export`: each instance answers what it holds about the account.
    public static let export = "privacy.export"

    /// Whose data to export.
    public struct Export: Codable, Sendable {
        public var accountId: String
        public init(accountId: String) { self.accountId = accountId }
    }
}
