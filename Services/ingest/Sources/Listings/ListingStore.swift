import EcoBus
import EcoModel
import EcoStore
import EcoWaste
import Foundation
import GRDB

/// Ingest's surplus listings as companies published them, each with its impact label, announced
/// on `listing.published` in the same transaction.
public struct ListingStore: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v4.listings") { db in
            try db.execute(sql: """
                CREATE TABLE listings (
                    id TEXT PRIMARY KEY NOT NULL,
                    company_id TEXT NOT NULL,
                    ler_code TEXT NOT NULL,
                    hazardous INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX listings_company ON listings(company_id);
                """)
        },
    ]

    let database: DatabasePool
    let outbox: Outbox
    let catalogue: LERCatalogue
    let area: PublishingArea
    /// The grid that gives each listing its market part.
    let grid: MarketGrid

    public init(database: DatabasePool, outbox: Outbox, catalogue: LERCatalogue = .shipped, area: PublishingArea, grid: MarketGrid = .standard) {
        self.database = database
        self.outbox = outbox
        self.catalogue = catalogue
        self.area = area
        self.grid = grid
    }

    public func create(_ draft: ListingDraft, by actor: Actor, now: Date = Date()) async throws -> Listing {
        let checked = try ListingRules.validate(draft, catalogue: catalogue, now: now)
        try area.check(checked.draft.location.point)
        if let organisation = checked.draft.organisationId, !actor.organisationIds.contains(organisation) {
            throw RemoteError(code: "forbidden", message: "you do not act for organisation \(organisation)", field: "organisationId")
        }
        let factor = ReuseFactors.factor(chapter: checked.entry.chapter)
        let impact = ImpactLabel(
            co2eAvoidedKg: checked.quantityKg.map { (($0 * factor.kgCO2ePerUnit) * 1000).rounded() / 1000 }, factor: factor)
        let listing = Listing(
            id: UUID().uuidString.lowercased(), companyId: actor.accountId, draft: checked.draft, lerCode: checked.entry.code,
            hazardous: checked.entry.hazardous, quantityKg: checked.quantityKg, impact: impact, version: 1, createdAt: now)
        let outbox = self.outbox
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO listings (id, company_id, ler_code, hazardous, version, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [listing.id, listing.companyId, listing.lerCode, listing.hazardous, listing.version,
                            try EventCodec.encoder.encode(listing), EventTime.format(now)])
            try outbox.append(ListingPublished.topic, ListingPublished(listing: listing), partitionKey: grid.part(of: listing), in: db)
        }
        return listing
    }

    public func listing(id: String) async throws -> Listing? {
        try await database.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM listings WHERE id = ?", arguments: [id]).map { try EventCodec.decoder.decode(Listing.self, from: $0) }
        }
    }

    /// Adds a photo (already checked and saved by hash) to the listing and announces `listing.updated`.
    /// Only its publisher, a member of its organisation, or an admin adds one; five at most.
    public func addPhoto(_ request: ListingRequests.AddPhoto, photo: PhotoStore.Saved, now: Date = Date()) async throws -> Listing {
        let hash = photo.hash
        let outbox = self.outbox
        return try await database.write { db in
            var listing = try Self.editable(request.listingId, by: request.actor, db)
            var photos = listing.photos ?? []
            guard !photos.contains(hash) else { return listing }
            guard photos.count < PhotoStore.maximumPerLot else { throw RemoteError(code: "conflict", message: "a listing has at most \(PhotoStore.maximumPerLot) photos") }
            photos.append(hash)
            listing.photos = photos
            listing.version += 1
            try PhotoStore.record(photo, at: now, in: db)
            try db.execute(
                sql: "UPDATE listings SET version = ?, body = ? WHERE id = ?",
                arguments: [listing.version, try EventCodec.encoder.encode(listing), listing.id])
            try outbox.append(ListingPublished.updatedTopic, ListingPublished(listing: listing), partitionKey: grid.part(of: listing), in: db)
            return listing
        }
    }

    /// The listing, if `actor` may change it: its publisher, a member of its organisation, or an admin.
    static func editable(_ id: String, by actor: Actor, _ db: Database) throws -> Listing {
        guard let body = try Data.fetchOne(db, sql: "SELECT body FROM listings WHERE id = ?", arguments: [id]) else {
            throw RemoteError.notFound("no listing \(id)")
        }
        let listing = try EventCodec.decoder.decode(Listing.self, from: body)
        guard actor.isAdmin || listing.companyId == actor.accountId
            || (listing.draft.organisationId.map { actor.organisationIds.contains($0) } ?? false) else {
            throw RemoteError(code: "forbidden", message: "only the listing's publisher or a member of its organisation adds photos")
        }
        return listing
    }

    /// The request handlers, with `photos` where listing photos are kept (the lots' photo store).
    public func handlers(photos: PhotoStore) -> [String: RequestHandler] {
        handlers.merging([
            ListingRequests.addPhoto: { body in
                let request = try RemoteError.decodeRequest(ListingRequests.AddPhoto.self, body)
                guard body.count == 2 else { throw RemoteError.badRequest("the photo's bytes follow the JSON frame") }
                // Who may add comes before what is added.
                _ = try await database.read { db in try Self.editable(request.listingId, by: request.actor, db) }
                let photo = try photos.accept(body[1], declared: request.contentType)
                return [try EventCodec.encoder.encode(try await addPhoto(request, photo: photo))]
            },
        ]) { first, _ in first }
    }

    public var handlers: [String: RequestHandler] {
        [
            ListingRequests.create: { body in
                let request = try RemoteError.decodeRequest(ListingRequests.Create.self, body)
                return [try EventCodec.encoder.encode(try await create(request.draft, by: request.actor))]
            },
            ListingRequests.get: { body in
                let request = try RemoteError.decodeRequest(ListingRequests.Get.self, body)
                guard let listing = try await listing(id: request.listingId) else { throw RemoteError.notFound("no listing \(request.listingId)") }
                return [try EventCodec.encoder.encode(listing)]
            },
        ]
    }
}
