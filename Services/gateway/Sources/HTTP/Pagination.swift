import Hummingbird

/// `?limit=&cursor=` on list endpoints: at most `maximum` items a page, 50 unless asked otherwise;
/// the reply carries `nextCursor` while there is more.
public struct Page: Sendable {
    public static let maximum = 200
    public static let standard = 50

    public let limit: Int
    public let cursor: String?

    public init(limit: Int = Page.standard, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    public init(from request: Request) throws {
        let query = request.uri.queryParameters
        var limit = Page.standard
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...Page.maximum).contains(value) else {
                throw APIError(.badRequest, code: "invalid_field", message: "limit must be between 1 and \(Page.maximum)", field: "limit")
            }
            limit = value
        }
        self.init(limit: limit, cursor: query["cursor"].map(String.init))
    }
}

extension Page {
    /// The cursor as a position in the list, for lists paged by offset (0 without a cursor).
    public func offset() throws -> Int {
        guard let cursor else { return 0 }
        guard let value = Int(cursor), value >= 0 else {
            throw APIError(.badRequest, code: "invalid_field", message: "cursor is not one this API gave", field: "cursor")
        }
        return value
    }

    /// The cursor of the next page after `count` items from `start`, when `total` says there is more.
    public static func nextCursor(start: Int, count: Int, total: Int) -> String? {
        start + count < total ? String(start + count) : nil
    }
}

/// One page of a list.
public struct PageResult<Item: Encodable & Sendable>: Encodable, Sendable {
    public let items: [Item]
    public let nextCursor: String?
}
