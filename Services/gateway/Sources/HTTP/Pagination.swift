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

/// One page of a list.
public struct PageResult<Item: Encodable & Sendable>: Encodable, Sendable {
    public let items: [Item]
    public let nextCursor: String?
}
