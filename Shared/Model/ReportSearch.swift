import Foundation

/// Bus requests ingest answers for the Open311 read side: reports by filter, and a filing's token.
public enum ReportSearchRequests {
    /// Reports filed in a window, newest first: a `Result` reply.
    public static let search = "report.search"
    /// The report a filing (its token) ended up in: a `Token` reply.
    public static let token = "report.token"
    /// The most reports one search returns.
    public static let maximumResults = 1000
    /// The longest window one search may span.
    public static let maximumWindow: TimeInterval = 90 * 86_400

    /// Open311's filter: `ids` alone ignores the rest, as the specification says.
    public struct Search: Codable, Sendable, Equatable {
        public var ids: [String]?
        public var categories: [String]?
        /// `open` (any status but closed) or `closed`, Open311's two states.
        public var open311Statuses: [String]?
        /// The window of filing times; without `to`, up to now; without `from`, the 90 days before `to`.
        public var from: Date?
        public var to: Date?
        public var limit: Int
        public init(ids: [String]?, categories: [String]?, open311Statuses: [String]?, from: Date?, to: Date?, limit: Int) {
            self.ids = ids; self.categories = categories; self.open311Statuses = open311Statuses; self.from = from; self.to = to; self.limit = limit
        }
    }

    public struct Result: Codable, Sendable, Equatable {
        public var items: [PublicReport]
        /// Names of the categories and jurisdictions the items mention, by id.
        public var categoryNames: [String: String]
        public var jurisdictionNames: [String: String]
        public init(items: [PublicReport], categoryNames: [String: String], jurisdictionNames: [String: String]) {
            self.items = items; self.categoryNames = categoryNames; self.jurisdictionNames = jurisdictionNames
        }
    }

    public struct Token: Codable, Sendable, Equatable {
        public var token: String
        /// The report the filing created or supports; nil in a request.
        public var reportId: String?
        public init(token: String, reportId: String?) { self.token = token; self.reportId = reportId }
    }
}

extension ReportSearchRequests {
    /// `GET /v1/reports`: reports newest first, filtered, a page at a time: a `Page` reply.
    public static let list = "report.list"

    /// A box of coordinates, south-west and north-east corners.
    public struct Box: Codable, Sendable, Equatable {
        public var minLatitude: Double
        public var minLongitude: Double
        public var maxLatitude: Double
        public var maxLongitude: Double
        public init(minLatitude: Double, minLongitude: Double, maxLatitude: Double, maxLongitude: Double) {
            self.minLatitude = minLatitude; self.minLongitude = minLongitude; self.maxLatitude = maxLatitude; self.maxLongitude = maxLongitude
        }
    }

    public struct List: Codable, Sendable, Equatable {
        public var category: String?
        public var status: ReportStatus?
        /// Reports routed to this jurisdiction; `unrouted` for those waiting in the admin queue.
        public var jurisdictionId: String?
        public var box: Box?
        /// Filed at or after `from`, and before `to`.
        public var from: Date?
        public var to: Date?
        public var limit: Int
        /// The filing time and id of the last report of the page before.
        public var cursor: String?
        /// Only reports this account filed or supported (`GET /v1/me/reports`).
        public var reporterAccountId: String?
        public init(category: String?, status: ReportStatus?, jurisdictionId: String?, box: Box?, from: Date?, to: Date?, limit: Int, cursor: String?,
                    reporterAccountId: String? = nil) {
            self.category = category; self.status = status; self.jurisdictionId = jurisdictionId; self.box = box
            self.from = from; self.to = to; self.limit = limit; self.cursor = cursor; self.reporterAccountId = reporterAccountId
        }
    }

    public struct Page: Codable, Sendable, Equatable {
        public var items: [PublicReport]
        public var nextCursor: String?
        public init(items: [PublicReport], nextCursor: String?) { self.items = items; self.nextCursor = nextCursor }
    }
}
