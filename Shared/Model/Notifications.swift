import Foundation

/// A message in a person's in-app inbox.
public struct InboxNotification: Codable, Sendable, Equatable {
    public var id: String
    public var kind: String
    public var title: String
    public var body: String
    /// Ids the client links to, e.g. `reservationId`, `lotId`.
    public var links: [String: String]
    public var createdAt: Date
    public var readAt: Date?

    public init(id: String, kind: String, title: String, body: String, links: [String: String], createdAt: Date, readAt: Date?) {
        self.id = id; self.kind = kind; self.title = title; self.body = body; self.links = links; self.createdAt = createdAt; self.readAt = readAt
    }
}

/// Bus requests the notifications service answers.
public enum NotificationRequests {
    public static let list = "inbox.list"
    public static let markRead = "inbox.read"

    public struct List: Codable, Sendable {
        public var accountId: String
        public var limit: Int
        public var cursor: String?
        public init(accountId: String, limit: Int, cursor: String?) { self.accountId = accountId; self.limit = limit; self.cursor = cursor }
    }

    public struct Page: Codable, Sendable {
        public var items: [InboxNotification]
        public var nextCursor: String?
        public var unread: Int
        public init(items: [InboxNotification], nextCursor: String?, unread: Int) { self.items = items; self.nextCursor = nextCursor; self.unread = unread }
    }

    public struct MarkRead: Codable, Sendable {
        public var accountId: String
        public var notificationId: String
        public init(accountId: String, notificationId: String) { self.accountId = accountId; self.notificationId = notificationId }
    }
}
