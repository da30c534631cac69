import EcoBus
import EcoModel
import Foundation
import GRDB

/// Authorities' webhook subscriptions: registering, listing (never the secret), revoking, and the
/// delivery log. Answers the `WebhookRequests` bus requests; the gateway has checked beforehand
/// that the caller may act for the jurisdiction.
public struct WebhookRegistry: Sendable {
    let database: any DatabaseWriter
    /// The territory's jurisdictions; any other id is `not_found`.
    let jurisdictions: Set<String>
    let secrets: WebhookSecrets

    public init(database: any DatabaseWriter, jurisdictions: Set<String>, secrets: WebhookSecrets) {
        self.database = database
        self.jurisdictions = jurisdictions
        self.secrets = secrets
    }

    public func register(_ request: WebhookRequests.Register, now: Date = Date()) async throws -> WebhookSubscription {
        try known(request.jurisdictionId)
        let url = try Self.validate(url: request.url)
        try Self.validate(secret: request.secret)
        let subscription = WebhookSubscription(
            id: UUID().uuidString.lowercased(), jurisdictionId: request.jurisdictionId, url: url, createdBy: request.createdBy,
            createdAt: Self.date(EventTime.format(now)), revokedAt: nil)  // as stored (milliseconds), so it reads back the same
        let sealed = try secrets.seal(request.secret)
        try await database.write { db in
            let active = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM webhook_subscriptions WHERE jurisdiction_id = ? AND revoked_at IS NULL",
                arguments: [request.jurisdictionId]) ?? 0
            guard active < WebhookRequests.maximumPerJurisdiction else {
                throw RemoteError.conflict("at most \(WebhookRequests.maximumPerJurisdiction) active webhooks per jurisdiction; revoke one first")
            }
            try db.execute(
                sql: "INSERT INTO webhook_subscriptions (id, jurisdiction_id, url, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [subscription.id, subscription.jurisdictionId, url, sealed, request.createdBy, EventTime.format(now)])
        }
        return subscription
    }

    public func list(jurisdictionId: String) async throws -> [WebhookSubscription] {
        try known(jurisdictionId)
        return try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM webhook_subscriptions WHERE jurisdiction_id = ? ORDER BY created_at, id", arguments: [jurisdictionId]
            ).map(Self.subscription)
        }
    }

    /// Stops sending to a webhook. What it was still owed stays pending in its log and is not sent.
    public func revoke(_ target: WebhookRequests.Target, now: Date = Date()) async throws {
        try known(target.jurisdictionId)
        let changed = try await database.write { db in
            try db.execute(
                sql: "UPDATE webhook_subscriptions SET revoked_at = ? WHERE id = ? AND jurisdiction_id = ? AND revoked_at IS NULL",
                arguments: [EventTime.format(now), target.subscriptionId, target.jurisdictionId])
            return db.changesCount
        }
        guard changed > 0 else { throw RemoteError.notFound("no active webhook \(target.subscriptionId) for \(target.jurisdictionId)") }
    }

    /// The webhook's deliveries, newest first, each with its latest attempts.
    public func deliveries(_ request: WebhookRequests.DeliveryLog) async throws -> WebhookRequests.DeliveryPage {
        try known(request.jurisdictionId)
        guard (1...200).contains(request.limit) else { throw RemoteError.invalid("limit", "limit must be between 1 and 200") }
        let before: Int64
        if let cursor = request.cursor {
            guard let value = Int64(cursor), value > 0 else { throw RemoteError.invalid("cursor", "cursor is not one this API gave") }
            before = value
        } else {
            before = .max
        }
        return try await database.read { db in
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM webhook_subscriptions WHERE id = ? AND jurisdiction_id = ?",
                arguments: [request.subscriptionId, request.jurisdictionId]) == true
            else { throw RemoteError.notFound("no webhook \(request.subscriptionId) for \(request.jurisdictionId)") }
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM webhook_deliveries WHERE subscription_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                arguments: [request.subscriptionId, before, request.limit + 1])
            let items = try rows.prefix(request.limit).map { row in
                let attempts = try Row.fetchAll(
                    db, sql: "SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY id DESC LIMIT ?",
                    arguments: [row["id"] as Int64, WebhookRequests.attemptsShown]
                ).reversed().map { attempt in
                    WebhookAttempt(
                        at: Self.date(attempt["at"]), httpStatus: attempt["http_status"], error: attempt["error"], durationMs: attempt["duration_ms"])
                }
                return WebhookDelivery(
                    id: String(row["id"] as Int64), subscriptionId: row["subscription_id"], eventId: row["event_id"], eventType: row["event_type"],
                    sequence: row["sequence"], reportId: row["report_id"],
                    status: WebhookDeliveryStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                    nextAttemptAt: (row["next_attempt_at"] as String?).flatMap(EventTime.parse),
                    deliveredAt: (row["delivered_at"] as String?).flatMap(EventTime.parse),
                    createdAt: Self.date(row["created_at"]), recentAttempts: Array(attempts))
            }
            let next = rows.count > request.limit ? items.last.map(\.id) : nil
            return WebhookRequests.DeliveryPage(items: items, nextCursor: next)
        }
    }

    public var handlers: [String: RequestHandler] {
        [
            WebhookRequests.register: { body in
                [try EventCodec.encoder.encode(try await register(try RemoteError.decodeRequest(WebhookRequests.Register.self, body)))]
            },
            WebhookRequests.list: { body in
                let request = try RemoteError.decodeRequest(WebhookRequests.ForJurisdiction.self, body)
                return [try EventCodec.encoder.encode(WebhookRequests.List(items: try await list(jurisdictionId: request.jurisdictionId)))]
            },
            WebhookRequests.delete: { body in
                try await revoke(try RemoteError.decodeRequest(WebhookRequests.Target.self, body))
                return [Data("{}".utf8)]
            },
            WebhookRequests.deliveries: { body in
                [try EventCodec.encoder.encode(try await deliveries(try RemoteError.decodeRequest(WebhookRequests.DeliveryLog.self, body)))]
            },
        ]
    }

    // MARK: - Rules

    /// An absolute http or https URL with a host, no credentials and no fragment, at most 2000 characters.
    public static func validate(url text: String) throws(RemoteError) -> String {
        let url = text.trimmingCharacters(in: .whitespaces)
        guard !url.isEmpty else { throw .invalid("url", "url is required") }
        guard url.count <= WebhookRequests.maximumURLLength else {
            throw .invalid("url", "url must be at most \(WebhookRequests.maximumURLLength) characters")
        }
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw .invalid("url", "url must be an absolute http:// or https:// URL")
        }
        guard let host = parsed.host, !host.isEmpty else { throw .invalid("url", "url has no host") }
        guard parsed.user == nil, parsed.password == nil else {
            throw .invalid("url", "url must not carry credentials; the secret authenticates the requests")
        }
        guard parsed.fragment == nil else { throw .invalid("url", "url must not have a #fragment") }
        return url
    }

    /// 16 to 200 characters, none of them control characters.
    public static func validate(secret: String) throws(RemoteError) {
        guard WebhookRequests.secretLength.contains(secret.count) else {
            throw .invalid("secret", "secret must be \(WebhookRequests.secretLength.lowerBound) to \(WebhookRequests.secretLength.upperBound) characters")
        }
        guard !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("secret", "secret must not contain control characters")
        }
    }

    private func known(_ jurisdictionId: String) throws(RemoteError) {
        guard jurisdictions.contains(jurisdictionId) else { throw .notFound("no jurisdiction \(jurisdictionId)") }
    }

    static func subscription(_ row: Row) -> WebhookSubscription {
        WebhookSubscription(
            id: row["id"], jurisdictionId: row["jurisdiction_id"], url: row["url"], createdBy: row["created_by"],
            createdAt: date(row["created_at"]), revokedAt: (row["revoked_at"] as String?).flatMap(EventTime.parse))
    }

    static func date(_ text: String) -> Date { EventTime.parse(text) ?? Date(timeIntervalSince1970: 0) }
}
