import Foundation

extension ReportRequests {
    /// Who follows a report: its signed-in filers and supporters, and the contact emails left with
    /// its filings; a `Followers` reply. Notifications asks, to tell them of a status change, so
    /// that no event carries who they are.
    public static let followers = "report.followers"

    public struct FollowersQuery: Codable, Sendable, Equatable {
        public var reportId: String
        public init(reportId: String) { self.reportId = reportId }
    }

    /// One filing's follower: its account when signed in, else the contact email it left.
    public struct Follower: Codable, Sendable, Equatable {
        public var filingId: String
        public var accountId: String?
        public var email: String?
        public init(filingId: String, accountId: String?, email: String?) { self.filingId = filingId; self.accountId = accountId; self.email = email }
    }

    public struct Followers: Codable, Sendable, Equatable {
        public var items: [Follower]
        public init(items: [Follower]) { self.items = items }
    }
}

extension ReportRequests {
    /// Erases one filing, named by the token its filer was given: an `EraseFiling` answered with a
    /// `FilingErased`, or `not_found`.
    public static let eraseFiling = "report.erase-filing"

    public struct EraseFiling: Codable, Sendable, Equatable {
        public var filingId: String
        public init(filingId: String) { self.filingId = filingId }
    }

    public struct FilingErased: Codable, Sendable, Equatable {
        public var erased: Bool
        public init(erased: Bool) { self.erased = erased }
    }
}
