import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Subscriptions to the community feed, kept by the notifications service, which tells subscribers
/// when a listing in their chapters or kinds is shared within their radius.
public struct FeedSubscriptions: Sendable {
    public static let migrations: [Migration] = [
        Migration("notifications.v3.feed-subscriptions") { db in
            try db.execute(sql: """
                CREATE TABLE feed_subscriptions (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX feed_subscriptions_account ON feed_subscriptions(account_id);
                """)
        },
    ]

    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) { self.database = database }

    public func create(_ request: SubscriptionRequests.Create, now: Date = Date()) async throws -> FeedSubscription {
        let chapters = Array(Set((request.chapters ?? []).map { $0.trimmingCharacters(in: .whitespaces) })).sorted()
        if let bad = chapters.first(where: { !(($0.count == 2) && (Int($0).map { (1...20).contains($0) } ?? false)) }) {
            throw RemoteError.invalid("chapters", "\(bad) is not a chapter: chapters are two digits from 01 to 20")
        }
        guard GeoPoint(latitude: request.latitude, longitude: request.longitude).isValid else {
            throw RemoteError.invalid("latitude", "latitude and longitude must be a valid position")
        }
        guard request.radiusKm > 0, request.radiusKm <= SubscriptionRequests.maximumRadiusKm else {
            throw RemoteError.invalid("radiusKm", "radiusKm must be above 0 and at most \(Int(SubscriptionRequests.maximumRadiusKm))")
        }
        let subscription = FeedSubscription(
            id: UUID().uuidString.lowercased(), accountId: request.accountId, chapters: chapters,
            kinds: Array(Set(request.kinds ?? [])).sorted { $0.rawValue < $1.rawValue },
            latitude: request.latitude, longitude: request.longitude, radiusKm: request.radiusKm, createdAt: now)
        try await database.write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM feed_subscriptions WHERE account_id = ?", arguments: [request.accountId]) ?? 0
            guard count < SubscriptionRequests.maximumPerAccount else {
                throw RemoteError(code: "conflict", message: "at most \(SubscriptionRequests.maximumPerAccount) subscriptions per account; delete one first")
            }
            try db.execute(
                sql: "INSERT INTO feed_subscriptions (id, account_id, body, created_at) VALUES (?, ?, ?, ?)",
                arguments: [subscription.id, subscription.accountId, try EventCodec.encoder.encode(subscription), EventTime.format(now)])
        }
        return subscription
    }

    public func list(accountId: String) async throws -> [FeedSubscription] {
        try await database.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM feed_subscriptions WHERE account_id = ? ORDER BY created_at, id", arguments: [accountId])
                .map { try EventCodec.decoder.decode(FeedSubscription.self, from: $0) }
        }
    }

    public func delete(accountId: String, id: String) async throws {
        let deleted = try await database.write { db in
            try db.execute(sql: "DELETE FROM feed_subscriptions WHERE id = ? AND account_id = ?", arguments: [id, accountId])
            return db.changesCount
        }
        guard deleted > 0 else { throw RemoteError.notFound("no subscription \(id)") }
    }

    /// The subscriptions a shared listing concerns.
    static func matching(_ listing: Listing, in db: Database) throws -> [FeedSubscription] {
        let point = listing.draft.location.point
        let chapter = String(listing.lerCode.prefix(2))
        return try Data.fetchAll(db, sql: "SELECT body FROM feed_subscriptions ORDER BY id")
            .map { try EventCodec.decoder.decode(FeedSubscription.self, from: $0) }
            .filter { subscription in
                (subscription.chapters.isEmpty || subscription.chapters.contains(chapter))
                    && (subscription.kinds.isEmpty || subscription.kinds.contains(listing.draft.kind))
                    && point.distanceKm(to: GeoPoint(latitude: subscription.latitude, longitude: subscription.longitude)) <= subscription.radiusKm
            }
    }

    public var handlers: [String: RequestHandler] {
        [
            SubscriptionRequests.create: { body in
                [try EventCodec.encoder.encode(try await create(try RemoteError.decodeRequest(SubscriptionRequests.Create.self, body)))]
            },
            SubscriptionRequests.list: { body in
                let request = try RemoteError.decodeRequest(SubscriptionRequests.ForAccount.self, body)
                return [try EventCodec.encoder.encode(SubscriptionRequests.List(items: try await list(accountId: request.accountId)))]
            },
            SubscriptionRequests.delete: { body in
                let request = try RemoteError.decodeRequest(SubscriptionRequests.ForAccount.self, body)
                try await delete(accountId: request.accountId, id: request.subscriptionId ?? "")
                return [Data("{}".utf8)]
            },
        ]
    }
}
