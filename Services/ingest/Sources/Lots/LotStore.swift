import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Ingest's lots, as merchants published them, with the events announcing each change written in
/// the same transaction.
public struct LotStore: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v1.lots") { db in
            try db.execute(sql: """
                CREATE TABLE lots (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL,
                    organisation_id TEXT,
                    status TEXT NOT NULL,
                    is_free INTEGER NOT NULL,
                    category TEXT NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    pickup_start TEXT NOT NULL,
                    pickup_end TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX lots_geo ON lots(status, latitude, longitude);
                CREATE INDEX lots_merchant ON lots(merchant_id);
                """)
        },
        Migration("ingest.v2.photos") { db in
            try db.execute(sql: """
                CREATE TABLE photos (hash TEXT PRIMARY KEY NOT NULL, content_type TEXT NOT NULL, bytes INTEGER NOT NULL, created_at TEXT NOT NULL)
                """)
        },
        Migration("ingest.v3.reserved-baskets") { db in
            try db.execute(sql: """
                CREATE TABLE lot_reservations (
                    reservation_id TEXT PRIMARY KEY NOT NULL,
                    lot_id TEXT NOT NULL,
                    baskets INTEGER NOT NULL,
                    holds INTEGER NOT NULL
                );
                CREATE INDEX lot_reservations_lot ON lot_reservations(lot_id, holds);
                """)
        },
    ]

    let database: DatabasePool
    let outbox: Outbox
    let area: PublishingArea

    public init(database: DatabasePool, outbox: Outbox, area: PublishingArea) {
        self.database = database
        self.outbox = outbox
        self.area = area
    }

    public func create(_ draft: LotDraft, by actor: Actor, now: Date = Date()) async throws -> Lot {
        let draft = try LotRules.validate(draft, now: now)
        try area.check(draft.location.point)
        if let organisation = draft.organisationId, !actor.organisationIds.contains(organisation) {
            throw RemoteError.forbidden("you do not act for organisation \(organisation)").with(field: "organisationId")
        }
        let lot = Lot(id: UUID().uuidString.lowercased(), merchantId: actor.accountId, draft: draft, status: .published, version: 1, createdAt: now, updatedAt: now)
        let outbox = self.outbox
        try await database.write { db in
            try Self.insert(lot, db)
            try outbox.append(LotChanged.publishedTopic, LotChanged(lot: lot), in: db)
        }
        return lot
    }

    public func update(_ request: LotRequests.Update, now: Date = Date()) async throws -> Lot {
        let outbox = self.outbox
        return try await database.write { db in
            // Who may change it comes before what the change says.
            var lot = try Self.editable(request.lotId, by: request.actor, db)
            let draft = try LotRules.validate(request.draft, now: now)
            try area.check(draft.location.point)
            if let version = request.version, version != lot.version {
                throw RemoteError.conflict("the lot changed since version \(version); it is at version \(lot.version)")
            }
            guard draft.baskets >= lot.draft.baskets else {
                throw RemoteError.invalid("baskets", "baskets can only grow once a lot is published (reservations may hold them); withdraw it instead")
            }
            guard draft.isFree == lot.isFree else {
                throw RemoteError.invalid("priceCents", "a lot cannot switch between free and paid; withdraw it and publish another")
            }
            if draft.organisationId != lot.draft.organisationId {
                throw RemoteError.invalid("organisationId", "a lot stays with the organisation it was published for")
            }
            lot.draft = draft
            lot.version += 1
            lot.updatedAt = now
            try db.execute(sql: "DELETE FROM lots WHERE id = ?", arguments: [lot.id])
            try Self.insert(lot, db)
            try outbox.append(LotChanged.updatedTopic, LotChanged(lot: lot), in: db)
            return lot
        }
    }

    public func withdraw(_ lotID: String, by actor: Actor, now: Date = Date()) async throws -> Lot {
        let outbox = self.outbox
        return try await database.write { db in
            var lot = try Self.editable(lotID, by: actor, db)
            lot.status = .withdrawn
            lot.version += 1
            lot.updatedAt = now
            try db.execute(
                sql: "UPDATE lots SET status = ?, version = ?, updated_at = ?, body = ? WHERE id = ?",
                arguments: [lot.status.rawValue, lot.version, EventTime.format(now), try EventCodec.encoder.encode(lot), lot.id])
            try outbox.append(LotWithdrawn.topic, LotWithdrawn(lotId: lot.id, merchantId: lot.merchantId, withdrawnBy: actor.accountId), in: db)
            return lot
        }
    }

    /// Adds a photo (already checked and saved by hash) to the lot, announcing the new state.
    public func addPhoto(_ request: LotRequests.AddPhoto, photo: PhotoStore.Saved, now: Date = Date()) async throws -> Lot {
        let hash = photo.hash
        let outbox = self.outbox
        return try await database.write { db in
            var lot = try Self.editable(request.lotId, by: request.actor, db)
            var photos = lot.photos ?? []
            if !photos.contains(hash) {
                guard photos.count < PhotoStore.maximumPerLot else {
                    throw RemoteError.conflict("a lot has at most \(PhotoStore.maximumPerLot) photos")
                }
                photos.append(hash)
            }
            try PhotoStore.record(photo, at: now, in: db)
            lot.photos = photos
            lot.version += 1
            lot.updatedAt = now
            try db.execute(sql: "DELETE FROM lots WHERE id = ?", arguments: [lot.id])
            try Self.insert(lot, db)
            try outbox.append(LotChanged.updatedTopic, LotChanged(lot: lot), in: db)
            return lot
        }
    }

    public func photoType(hash: String) async throws -> String? {
        try await database.read { db in try String.fetchOne(db, sql: "SELECT content_type FROM photos WHERE hash = ?", arguments: [hash]) }
    }

    public func lot(id: String) async throws -> Lot? {
        try await database.read { db in try Self.load(id, db) }
    }

    /// Published lots within the radius whose pickup has not ended, nearest first (ties by id).
    public func search(_ query: LotRequests.Search, now: Date = Date()) async throws -> LotRequests.SearchPage {
        try EventCodec.decoder.decode(LotRequests.SearchPage.self, from: try await searchJSON(query, now: now))
    }

    /// `search`'s page as the JSON of a `LotRequests.SearchPage`, with each lot's stored JSON body
    /// spliced in as it is, never decoded: the page is what the gateway sends (`LotSearchPageJSON`).
    public func searchJSON(_ query: LotRequests.Search, now: Date = Date()) async throws -> Data {
        let after = try query.cursor.map { text throws(RemoteError) in try LotSearchIndex.Cursor(text) }
        var conditions = LotSearchIndex.Conditions()
        conditions.require("status = 'published'")
        conditions.require("pickup_end > ?", EventTime.format(now))
        conditions.require("baskets_left > 0")
        if !query.includeFree { conditions.require("is_free = 0") }
        if let category = query.category { conditions.require("category = ?", category.rawValue) }
        if let from = query.pickupFrom { conditions.require("pickup_end >= ?", EventTime.format(from)) }
        if let until = query.pickupUntil { conditions.require("pickup_start <= ?", EventTime.format(until)) }
        return try await database.read { [conditions] db in
            let near = try LotSearchIndex.nearest(
                to: query.near, within: query.radiusKm, after: after, count: query.limit + 1, where: conditions, in: db)
            let page = near.prefix(query.limit)
            var json = LotSearchPageJSON()
            for hit in page {
                guard let body = try Data.fetchOne(db.cachedStatement(sql: "SELECT body FROM lots WHERE id = ?"), arguments: [hit.id]) else { continue }
                json.append(lot: body, distanceKm: hit.distanceKm, basketsLeft: hit.basketsLeft)
            }
            let next = near.count > page.count ? page.last.map { LotSearchIndex.Cursor(distanceKm: $0.distanceKm, id: $0.id).text } : nil
            return try json.finish(nextCursor: next)
        }
    }

    static func insert(_ lot: Lot, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO lots (id, merchant_id, organisation_id, status, is_free, category, latitude, longitude,
                    pickup_start, pickup_end, version, body, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                lot.id, lot.merchantId, lot.draft.organisationId, lot.status.rawValue, lot.isFree, lot.draft.category.rawValue,
                lot.draft.location.latitude, lot.draft.location.longitude,
                EventTime.format(lot.draft.pickupStart), EventTime.format(lot.draft.pickupEnd), lot.version,
                try EventCodec.encoder.encode(lot), EventTime.format(lot.createdAt), EventTime.format(lot.updatedAt),
            ])
        try LotSearchIndex.refresh(lotID: lot.id, in: db)
    }

    static func load(_ id: String, _ db: Database) throws -> Lot? {
        try Data.fetchOne(db, sql: "SELECT body FROM lots WHERE id = ?", arguments: [id]).map {
            try EventCodec.decoder.decode(Lot.self, from: $0)
        }
    }

    /// Throws unless `actor` may change the lot (checked before a photo's bytes are looked at).
    public func requireEditable(_ lotID: String, by actor: Actor) async throws {
        _ = try await database.read { db in try Self.editable(lotID, by: actor, db) }
    }

    /// The lot, if `actor` may change it: its merchant, a member of its organisation, or an admin.
    static func editable(_ id: String, by actor: Actor, _ db: Database) throws -> Lot {
        guard let lot = try load(id, db) else { throw RemoteError.notFound("no lot \(id)") }
        let mayEdit = actor.isAdmin || lot.merchantId == actor.accountId
            || (lot.draft.organisationId.map { actor.organisationIds.contains($0) } ?? false)
        guard mayEdit else { throw RemoteError.forbidden("only the lot's merchant or a member of its organisation changes it") }
        guard lot.status == .published else { throw RemoteError.conflict("the lot was withdrawn") }
        return lot
    }
}

extension RemoteError {
    func with(field: String) -> RemoteError {
        var copy = self
        copy.field = field
        return copy
    }
}
