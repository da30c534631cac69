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

/// A subscription to the community feed: listings shared in these chapters or kinds, within a radius.
public struct FeedSubscription: Codable, Sendable, Equatable {
    public var id: String
    public var accountId: String
    /// List of Waste chapters (e.g. `17`); empty means any.
    public var chapters: [String]
    /// Kinds (material, equipment, waste); empty means any.
    public var kinds: [ListingKind]
    public var latitude: Double
    public var longitude: Double
    public var radiusKm: Double
    public var createdAt: Date

    public init(id: String, accountId: String, chapters: [String], kinds: [ListingKind], latitude: Double, longitude: Double, radiusKm: Double, createdAt: Date) {
        self.id = id; self.accountId = accountId; self.chapters = chapters; self.kinds = kinds; self.latitude = latitude
        self.longitude = longitude; self.radiusKm = radiusKm; self.createdAt = createdAt
    }
}

/// Bus requests about feed subscriptions, answered by the notifications service.
public enum SubscriptionRequests {
    public static let create = "subscription.create"
    public static let list = "subscription.list"
    public static let delete = "subscription.delete"
    public static let maximumPerAccount = 20
    public static let maximumRadiusKm = 500.0

    public struct Create: Codable, Sendable {
        public var accountId: String
        public var chapters: [String]?
        public var kinds: [ListingKind]?
        public var latitude: Double
        public var longitude: Double
        public var radiusKm: Double
        public init(accountId: String, chapters: [String]?, kinds: [ListingKind]?, latitude: Double, longitude: Double, radiusKm: Double) {
            self.accountId = accountId; self.chapters = chapters; self.kinds = kinds; self.latitude = latitude; self.longitude = longitude; self.radiusKm = radiusKm
        }
    }

    public struct ForAccount: Codable, Sendable {
        public var accountId: String
        public var subscriptionId: String?
        public init(accountId: String, subscriptionId: String? = nil) { self.accountId = accountId; self.subscriptionId = subscriptionId }
    }

    public struct List: Codable, Sendable {
        public var items: [FeedSubscription]
        public init(items: [FeedSubscription]) { self.items = items }
    }
}

/// Bus requests for emails a person needs whatever their notification consent (a password reset
/// link, an address confirmation), answered by the notifications service once the email is queued.
public enum EmailRequests {
    public static let send = "email.send"
    /// Dedupe-key prefixes of emails that carry a single-use code: their body is blanked once sent
    /// or given up, and never exported.
    public static let passwordResetKey = "password-reset:"
    public static let emailChangeKey = "email-change:"
    public static let codeKeys = [passwordResetKey, emailChangeKey]

    /// Whether an email with this dedupe key carries a single-use code.
    public static func carriesCode(_ dedupeKey: String) -> Bool { codeKeys.contains { dedupeKey.hasPrefix($0) } }

    /// One email to queue, once per `dedupeKey`.
    public struct Send: Codable, Sendable {
        public var accountId: String
        /// The address to write to; nil for the account's own address.
        public var recipient: String?
        /// Queued once per key.
        public var dedupeKey: String
        public var subject: String
        public var body: String
        public init(accountId: String, recipient: String?, dedupeKey: String, subject: String, body: String) {
            self.accountId = accountId; self.recipient = recipient; self.dedupeKey = dedupeKey; self.subject = subject; self.body = body
        }
    }

    /// The reply once the email is durably queued.
    public struct Queued: Codable, Sendable {
        public var queued: Bool
        public init(queued: Bool) { self.queued = queued }
    }
}
