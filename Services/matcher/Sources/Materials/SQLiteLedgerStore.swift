import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// The materials ledger in the worker's SQLite file, used inside the consumer's write transaction
/// (so each input's effects and the stream offset commit together). Times are stored as seconds
/// since the reference date, exactly as `Date` holds them, so a round read back from disk sees the
/// same doubles as one computed in memory.
public struct SQLiteLedgerStore: MaterialLedgerStore {
    public static let migrations: [Migration] = [
        Migration("matcher.v3.materials-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE material_listings (
                    id TEXT PRIMARY KEY NOT NULL,
                    ler_code TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    hazardous INTEGER NOT NULL,
                    remaining_kg REAL NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    available_from REAL NOT NULL,
                    available_until REAL NOT NULL,
                    published_at REAL NOT NULL,
                    shared_at REAL,
                    parties TEXT NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX material_listings_open ON material_listings(remaining_kg, available_until);
                CREATE INDEX material_listings_shared ON material_listings(shared_at);
                CREATE TABLE material_demands (
                    id TEXT PRIMARY KEY NOT NULL,
                    licensee TEXT NOT NULL,
                    ler_codes TEXT NOT NULL,
                    chapters TEXT NOT NULL,
                    kinds TEXT NOT NULL,
                    minimum_kg REAL NOT NULL,
                    remaining_kg REAL NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    maximum_distance_km REAL NOT NULL,
                    needed_from REAL NOT NULL,
                    needed_until REAL NOT NULL,
                    wants_transport INTEGER NOT NULL,
                    parties TEXT NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE TABLE material_proposals (
                    id TEXT PRIMARY KEY NOT NULL,
                    listing_id TEXT NOT NULL,
                    demand_id TEXT NOT NULL,
                    giver_id TEXT NOT NULL,
                    giver_organisation_id TEXT,
                    taker_id TEXT NOT NULL,
                    taker_organisation_id TEXT,
                    status TEXT NOT NULL,
                    expires_at REAL NOT NULL,
                    pickup_until REAL NOT NULL,
                    created_at REAL NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE UNIQUE INDEX material_proposals_pair ON material_proposals(listing_id, demand_id);
                CREATE INDEX material_proposals_waiting ON material_proposals(status, expires_at);
                CREATE INDEX material_proposals_confirmed ON material_proposals(status, pickup_until);
                CREATE INDEX material_proposals_giver ON material_proposals(giver_id);
                CREATE INDEX material_proposals_taker ON material_proposals(taker_id);
                CREATE INDEX material_proposals_giver_organisation ON material_proposals(giver_organisation_id);
                CREATE INDEX material_proposals_taker_organisation ON material_proposals(taker_organisation_id);
                CREATE TABLE material_licences (
                    organisation_id TEXT NOT NULL,
                    chapter TEXT NOT NULL,
                    PRIMARY KEY (organisation_id, chapter)
                );
                CREATE TABLE material_ledger_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    matchers INTEGER NOT NULL,
                    dirty INTEGER NOT NULL
                );
                """)
        },
    ]

    let db: Database
    /// The JSON of each proposal this store wrote, kept so that its event reuses it (`encoded(_:)`);
    /// nil for a store whose writes announce nothing.
    private let written: ProposalBodies?
    /// The worker's offers as decoded before, so a round does not decode them again; nil decodes each read.
    private let decoded: DecodedOffers?

    /// `keepingProposalJSON`: keep what each written proposal was encoded to, for its event.
    /// `decoded`: where the worker keeps the listings and demands it decoded, across transactions.
    public init(_ db: Database, keepingProposalJSON: Bool = false, decoded: DecodedOffers? = nil) {
        self.db = db
        self.written = keepingProposalJSON ? ProposalBodies() : nil
        self.decoded = decoded
    }

    private func decodeListing(id: String, body: Data) throws -> Listing {
        guard let decoded else { return try EventCodec.decoder.decode(Listing.self, from: body) }
        return try decoded.listing(id: id, body: body) { try EventCodec.decoder.decode(Listing.self, from: $0) }
    }

    private func decodeDemand(id: String, body: Data) throws -> Demand {
        guard let decoded else { return try EventCodec.decoder.decode(Demand.self, from: body) }
        return try decoded.demand(id: id, body: body) { try EventCodec.decoder.decode(Demand.self, from: $0) }
    }

    /// The JSON this store wrote for `proposal`, if it wrote exactly that state of it.
    func encoded(_ proposal: MaterialProposal) -> EncodedPayload<MaterialProposal>? { written?.body(of: proposal) }

    private func body(of proposal: MaterialProposal) throws -> Data {
        try written?.encode(proposal).json ?? EventCodec.encoder.encode(proposal)
    }

    public func insertListing(_ entry: LedgerListing, published: Data?) throws {
        let listing = entry.listing
        let body = try published ?? EventCodec.encoder.encode(listing)
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO material_listings (id, ler_code, kind, hazardous, remaining_kg, latitude, longitude, available_from,
                available_until, published_at, shared_at, parties, body, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(
            arguments: [
                listing.id, listing.lerCode, listing.draft.kind.rawValue, listing.hazardous, entry.remainingKg, listing.draft.location.latitude,
                listing.draft.location.longitude, listing.draft.availableFrom.timeIntervalSinceReferenceDate,
                listing.draft.availableUntil.timeIntervalSinceReferenceDate, listing.createdAt.timeIntervalSinceReferenceDate,
                entry.sharedAt?.timeIntervalSinceReferenceDate, MaterialMatching.OpenListing(listing, remainingKg: 0).parties.joined(separator: ","),
                body, entry.part,
            ])
        // Only ingest's own JSON: the listing was decoded from exactly those bytes.
        if let published, db.changesCount > 0 { decoded?.keep(listing, id: listing.id, body: published) }
    }

    public func listing(_ id: String) throws -> LedgerListing? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT remaining_kg, shared_at, body, part FROM material_listings WHERE id = ?"), arguments: [id]) else { return nil }
        return LedgerListing(
            listing: try decodeListing(id: id, body: row["body"]), remainingKg: row["remaining_kg"],
            sharedAt: (row["shared_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)), part: row["part"])
    }

    public func updateListingBody(_ listing: Listing) throws {
        try db.execute(sql: "UPDATE material_listings SET body = ? WHERE id = ?", arguments: [try EventCodec.encoder.encode(listing), listing.id])
    }

    public func redactListing(_ listing: Listing) throws {
        try db.execute(
            sql: "UPDATE material_listings SET available_until = ?, body = ? WHERE id = ?",
            arguments: [listing.draft.availableUntil.timeIntervalSinceReferenceDate, try EventCodec.encoder.encode(listing), listing.id])
    }

    public func redactDemand(_ demand: Demand) throws {
        try db.execute(
            sql: "UPDATE material_demands SET needed_until = ?, body = ? WHERE id = ?",
            arguments: [demand.draft.neededUntil.timeIntervalSinceReferenceDate, try EventCodec.encoder.encode(demand), demand.id])
    }

    public func proposals(involving offerId: String) throws -> [MaterialProposal] {
        try Data.fetchAll(db, sql: "SELECT body FROM material_proposals WHERE listing_id = ?1 OR demand_id = ?1 ORDER BY id", arguments: [offerId])
            .map { try EventCodec.decoder.decode(MaterialProposal.self, from: $0) }
    }

    public func insertDemand(_ entry: LedgerDemand, published: Data?) throws {
        let open = MaterialMatching.OpenDemand(entry.demand, remainingKg: entry.remainingKg)
        let body = try published ?? EventCodec.encoder.encode(entry.demand)
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO material_demands (id, licensee, ler_codes, chapters, kinds, minimum_kg, remaining_kg, latitude, longitude,
                maximum_distance_km, needed_from, needed_until, wants_transport, parties, body, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(
            arguments: [
                open.id, open.licensee, open.lerCodes.sorted().joined(separator: ","), open.chapters.sorted().joined(separator: ","),
                open.kinds.map(\.rawValue).sorted().joined(separator: ","), open.minimumKg, open.remainingKg, open.point.latitude,
                open.point.longitude, open.maximumDistanceKm, open.from.timeIntervalSinceReferenceDate, open.until.timeIntervalSinceReferenceDate,
                open.wantsTransport, open.parties.joined(separator: ","), body, entry.part,
            ])
        if let published, db.changesCount > 0 { decoded?.keep(entry.demand, id: open.id, body: published) }
    }

    public func demand(_ id: String) throws -> LedgerDemand? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT remaining_kg, body, part FROM material_demands WHERE id = ?"), arguments: [id]) else { return nil }
        return LedgerDemand(demand: try decodeDemand(id: id, body: row["body"]), remainingKg: row["remaining_kg"], part: row["part"])
    }

    public func adjust(listingId: String, demandId: String, byKg kg: Double) throws {
        try db.cachedStatement(sql: "UPDATE material_listings SET remaining_kg = remaining_kg + ? WHERE id = ?").execute(arguments: [kg, listingId])
        try db.cachedStatement(sql: "UPDATE material_demands SET remaining_kg = remaining_kg + ? WHERE id = ?").execute(arguments: [kg, demandId])
    }

    public func openListings(at: Date) throws -> [MaterialMatching.OpenListing] {
        try Row.fetchAll(
            db, sql: """
                SELECT id, ler_code, kind, hazardous, remaining_kg, latitude, longitude, available_from, available_until, parties, part
                FROM material_listings WHERE remaining_kg > 0 AND available_until > ?
                """,
            arguments: [at.timeIntervalSinceReferenceDate]
        ).map { row in
            MaterialMatching.OpenListing(
                id: row["id"], lerCode: row["ler_code"], kind: ListingKind(rawValue: row["kind"]) ?? .material, hazardous: row["hazardous"],
                remainingKg: row["remaining_kg"], point: GeoPoint(latitude: row["latitude"], longitude: row["longitude"]),
                from: Date(timeIntervalSinceReferenceDate: row["available_from"]), until: Date(timeIntervalSinceReferenceDate: row["available_until"]),
                parties: (row["parties"] as String).split(separator: ",").map(String.init), part: row["part"])
        }
    }

    public func openDemands(at: Date) throws -> [MaterialMatching.OpenDemand] {
        func set(_ text: String) -> Set<String> { Set(text.split(separator: ",").map(String.init)) }
        return try Row.fetchAll(
            db, sql: """
                SELECT id, licensee, ler_codes, chapters, kinds, minimum_kg, remaining_kg, latitude, longitude, maximum_distance_km,
                    needed_from, needed_until, wants_transport, parties, part
                FROM material_demands WHERE remaining_kg > 0 AND needed_until > ?
                """,
            arguments: [at.timeIntervalSinceReferenceDate]
        ).map { row in
            MaterialMatching.OpenDemand(
                id: row["id"], licensee: row["licensee"], lerCodes: set(row["ler_codes"]), chapters: set(row["chapters"]),
                kinds: Set(set(row["kinds"]).compactMap(ListingKind.init(rawValue:))), minimumKg: row["minimum_kg"],
                remainingKg: row["remaining_kg"], point: GeoPoint(latitude: row["latitude"], longitude: row["longitude"]),
                maximumDistanceKm: row["maximum_distance_km"], from: Date(timeIntervalSinceReferenceDate: row["needed_from"]),
                until: Date(timeIntervalSinceReferenceDate: row["needed_until"]), wantsTransport: row["wants_transport"],
                parties: (row["parties"] as String).split(separator: ",").map(String.init), part: row["part"])
        }
    }

    public func proposedPairs() throws -> Set<String> {
        var pairs = Set<String>()
        let rows = try Row.fetchCursor(db, sql: "SELECT listing_id, demand_id FROM material_proposals")
        while let row = try rows.next() { pairs.insert((row[0] as String) + "|" + (row[1] as String)) }
        return pairs
    }

    public func insertProposal(_ proposal: MaterialProposal) throws {
        try db.cachedStatement(sql: """
            INSERT INTO material_proposals (id, listing_id, demand_id, giver_id, giver_organisation_id, taker_id, taker_organisation_id,
                status, expires_at, pickup_until, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                proposal.id, proposal.listingId, proposal.demandId, proposal.giverId, proposal.giverOrganisationId, proposal.takerId,
                proposal.takerOrganisationId, proposal.status.rawValue, proposal.expiresAt.timeIntervalSinceReferenceDate,
                proposal.pickupUntil.timeIntervalSinceReferenceDate,
                proposal.createdAt.timeIntervalSinceReferenceDate, try body(of: proposal),
            ])
    }

    public func proposal(_ id: String) throws -> MaterialProposal? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT body FROM material_proposals WHERE id = ?"), arguments: [id])
            .map { try EventCodec.decoder.decode(MaterialProposal.self, from: $0) }
    }

    /// The proposal if `viewer` is one of its sides, acts for a side's organisation, or is an admin.
    public func proposal(_ id: String, visibleTo viewer: Actor) throws -> MaterialProposal? {
        var sql = "SELECT body FROM material_proposals WHERE id = ? AND (? OR giver_id = ? OR taker_id = ?"
        var arguments: StatementArguments = [id, viewer.isAdmin, viewer.accountId, viewer.accountId]
        if !viewer.organisationIds.isEmpty {
            let marks = Array(repeating: "?", count: viewer.organisationIds.count).joined(separator: ", ")
            sql += " OR giver_organisation_id IN (\(marks)) OR taker_organisation_id IN (\(marks))"
            arguments += StatementArguments(viewer.organisationIds + viewer.organisationIds)
        }
        return try Data.fetchOne(db, sql: sql + ")", arguments: arguments).map { try EventCodec.decoder.decode(MaterialProposal.self, from: $0) }
    }

    public func updateProposal(_ proposal: MaterialProposal) throws {
        try db.cachedStatement(sql: "UPDATE material_proposals SET status = ?, body = ? WHERE id = ?")
            .execute(arguments: [proposal.status.rawValue, try body(of: proposal), proposal.id])
    }

    public func lapsedProposals(at: Date) throws -> [MaterialProposal] {
        try Data.fetchAll(
            db, sql: """
                SELECT body FROM (
                    SELECT body, expires_at AS deadline, id FROM material_proposals WHERE status = 'proposed' AND expires_at <= ?1
                    UNION ALL
                    SELECT body, pickup_until AS deadline, id FROM material_proposals WHERE status = 'confirmed' AND pickup_until <= ?1
                ) ORDER BY deadline, id
                """,
            arguments: [at.timeIntervalSinceReferenceDate]
        ).map { try EventCodec.decoder.decode(MaterialProposal.self, from: $0) }
    }

    public func listingsToShare(publishedBy: Date, at: Date) throws -> [LedgerListing] {
        try Row.fetchAll(
            db, sql: """
                SELECT id, remaining_kg, body, part FROM material_listings
                WHERE hazardous = 0 AND remaining_kg > 0 AND shared_at IS NULL AND published_at <= ? AND available_until > ? ORDER BY id
                """,
            arguments: [publishedBy.timeIntervalSinceReferenceDate, at.timeIntervalSinceReferenceDate]
        ).map { row in
            LedgerListing(listing: try decodeListing(id: row["id"], body: row["body"]), remainingKg: row["remaining_kg"], sharedAt: nil, part: row["part"])
        }
    }

    public func markShared(listingId: String, at: Date) throws {
        try db.cachedStatement(sql: "UPDATE material_listings SET shared_at = ? WHERE id = ?").execute(arguments: [at.timeIntervalSinceReferenceDate, listingId])
    }

    public func addLicence(organisationId: String, chapters: [String]) throws {
        for chapter in chapters {
            try db.execute(sql: "INSERT OR IGNORE INTO material_licences (organisation_id, chapter) VALUES (?, ?)", arguments: [organisationId, chapter])
        }
    }

    public func licensedChapters() throws -> [String: Set<String>] {
        var licences: [String: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT organisation_id, chapter FROM material_licences") {
            licences[row["organisation_id"], default: []].insert(row["chapter"])
        }
        return licences
    }

    public func loadState() throws -> MaterialLedger.State {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT matchers, dirty FROM material_ledger_state WHERE id = 1")) else {
            return MaterialLedger.State()
        }
        return MaterialLedger.State(matchers: row["matchers"], dirty: row["dirty"])
    }

    public func saveState(_ state: MaterialLedger.State) throws {
        try db.cachedStatement(sql: """
            INSERT INTO material_ledger_state (id, matchers, dirty) VALUES (1, ?, ?)
            ON CONFLICT(id) DO UPDATE SET matchers = excluded.matchers, dirty = excluded.dirty
            """).execute(arguments: [state.matchers, state.dirty])
    }
}

/// The proposals a `SQLiteLedgerStore` wrote in one input's transaction, with their JSON: a round
/// encodes each new proposal once, for its row and its `proposal.created` event.
final class ProposalBodies {
    // Used on the consumer's writer only, within one input's transaction.
    private var bodies: [String: (proposal: MaterialProposal, json: EncodedPayload<MaterialProposal>)] = [:]

    func encode(_ proposal: MaterialProposal) throws -> EncodedPayload<MaterialProposal> {
        let json = try EncodedPayload(proposal)
        bodies[proposal.id] = (proposal, json)
        return json
    }

    func body(of proposal: MaterialProposal) -> EncodedPayload<MaterialProposal>? {
        guard let kept = bodies[proposal.id], kept.proposal == proposal else { return nil }
        return kept.json
    }
}
