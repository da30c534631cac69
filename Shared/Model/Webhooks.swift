import Foundation

/// A machine endpoint of an authority that receives its jurisdiction's `report.*` events as signed
/// HTTP POSTs. As the API shows it: the secret is never sent back.
public struct WebhookSubscription: Codable, Sendable, Equatable {
    public var id: String
    public var jurisdictionId: String
    /// Where the events are POSTed (http or https).
    public var url: String
    /// The account that registered it.
    public var createdBy: String
    public var createdAt: Date
    /// Set once revoked: nothing more is sent to it, and its delivery log stays readable.
    public var revokedAt: Date?

    public init(id: String, jurisdictionId: String, url: String, createdBy: String, createdAt: Date, revokedAt: Date?) {
        self.id = id; self.jurisdictionId = jurisdictionId; self.url = url; self.createdBy = createdBy
        self.createdAt = createdAt; self.revokedAt = revokedAt
    }
}

/// Whether an event reached a subscription: `pending` until one attempt got a 2xx answer.
public enum WebhookDeliveryStatus: String, Codable, Sendable, CaseIterable {
    case pending, delivered
}

/// One try at POSTing an event: the HTTP status it got, or why there was none (timeout, refused).
public struct WebhookAttempt: Codable, Sendable, Equatable {
    public var at: Date
    /// The answer's status; nil when no answer came.
    public var httpStatus: Int?
    /// Why the attempt failed without an answer, e.g. `connection refused`.
    public var error: String?
    public var durationMs: Int

    public init(at: Date, httpStatus: Int?, error: String?, durationMs: Int) {
        self.at = at; self.httpStatus = httpStatus; self.error = error; self.durationMs = durationMs
    }
}

/// One event owed to one subscription, with its latest attempts: a line of the delivery log.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public var id: String
    public var subscriptionId: String
    /// The CloudEvent's `id`, `type` and `sequence`, and the report it is about.
    public var eventId: String
    public var eventType: String
    public var sequence: Int64
    public var reportId: String
    public var status: WebhookDeliveryStatus
    /// How many attempts were made.
    public var attempts: Int
    /// When the next attempt is due, while pending.
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var createdAt: Date
    /// The latest attempts (up to `WebhookRequests.attemptsShown`), oldest first.
    public var recentAttempts: [WebhookAttempt]

    public init(id: String, subscriptionId: String, eventId: String, eventType: String, sequence: Int64, reportId: String,
                status: WebhookDeliveryStatus, attempts: Int, nextAttemptAt: Date?, deliveredAt: Date?, createdAt: Date,
                recentAttempts: [WebhookAttempt]) {
        self.id = id; self.subscriptionId = subscriptionId; self.eventId = eventId; self.eventType = eventType
        self.sequence = sequence; self.reportId = reportId; self.status = status; self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt; self.deliveredAt = deliveredAt; self.createdAt = createdAt; self.recentAttempts = recentAttempts
    }
}

/// Bus requests about authorities' webhooks, answered by the notifications service. The caller
/// (the gateway) has checked that the account may act for the jurisdiction; an unknown jurisdiction,
/// or a subscription of another jurisdiction, is `not_found`.
public enum WebhookRequests {
    /// Registers a webhook: `Register` → `WebhookSubscription`.
    public static let register = "webhook.register"
    /// The jurisdiction's webhooks, revoked ones included: `ForJurisdiction` → `List`.
    public static let list = "webhook.list"
    /// Revokes a webhook: `Target` → `{}`.
    public static let delete = "webhook.delete"
    /// A page of a webhook's delivery log, newest first: `DeliveryLog` → `DeliveryPage`.
    public static let deliveries = "webhook.deliveries"

    /// The longest URL accepted.
    public static let maximumURLLength = 2000
    /// How long a secret may be, in characters.
    public static let secretLength = 16...200
    /// Active webhooks a jurisdiction may have at once.
    public static let maximumPerJurisdiction = 10
    /// Attempts shown with each delivery of the log.
    public static let attemptsShown = 10

    public struct Register: Codable, Sendable {
        public var jurisdictionId: String
        public var url: String
        /// Shared with the receiver, which checks each request's signature with it.
        public var secret: String
        /// The account registering it.
        public var createdBy: String
        public init(jurisdictionId: String, url: String, secret: String, createdBy: String) {
            self.jurisdictionId = jurisdictionId; self.url = url; self.secret = secret; self.createdBy = createdBy
        }
    }

    public struct ForJurisdiction: Codable, Sendable {
        public var jurisdictionId: String
        public init(jurisdictionId: String) { self.jurisdictionId = jurisdictionId }
    }

    public struct List: Codable, Sendable {
        public var items: [WebhookSubscription]
        public init(items: [WebhookSubscription]) { self.items = items }
    }

    /// One webhook of a jurisdiction.
    public struct Target: Codable, Sendable {
        public var jurisdictionId: String
        public var subscriptionId: String
        public init(jurisdictionId: String, subscriptionId: String) { self.jurisdictionId = jurisdictionId; self.subscriptionId = subscriptionId }
    }

    public struct DeliveryLog: Codable, Sendable {
        public var jurisdictionId: String
        public var subscriptionId: String
        /// 1 to 200.
        public var limit: Int
        /// The `nextCursor` of the previous page.
        public var cursor: String?
        public init(jurisdictionId: String, subscriptionId: String, limit: Int, cursor: String?) {
            self.jurisdictionId = jurisdictionId; self.subscriptionId = subscriptionId; self.limit = limit; self.cursor = cursor
        }
    }

    public struct DeliveryPage: Codable, Sendable {
        public var items: [WebhookDelivery]
        public var nextCursor: String?
        public init(items: [WebhookDelivery], nextCursor: String?) { self.items = items; self.nextCursor = nextCursor }
    }
}
