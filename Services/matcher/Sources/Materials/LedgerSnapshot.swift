import EcoBus
import EcoModel
import Foundation
import GRDB

/// A worker's whole materials ledger at one position of ingest's stream: what a peer hands a
/// worker that cannot replay the stream from its start any more (docs/decisions/0014). Every
/// worker holds the same ledger at the same position (docs/decisions/0008), so any peer's will do.
public struct LedgerSnapshot: Codable, Sendable, Equatable {
    /// The bus request a worker answers with its snapshot: no body; reply one `LedgerSnapshot` JSON frame.
    public static let requestKind = "materials.ledger-snapshot"

    public struct Entry<Offer: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
        public var offer: Offer
        public var remainingKg: Double
        public var sharedAt: Date?
        /// The offer's market part (absent in snapshots from before parts could be cut by another grid).
        public var part: String?
    }

    /// Ingest's sequence of the last materials event in it.
    public var appliedThrough: Int64
    public var matchers: Int
    public var dirty: Bool
    public var listings: [Entry<Listing>]
    public var demands: [Entry<Demand>]
    public var proposals: [MaterialProposal]
    /// Licensed chapters by organisation.
    public var licences: [String: [String]]

    /// Reads the ledger in `db` (one read transaction, so one position).
    public static func read(_ db: Database) throws -> LedgerSnapshot {
        let state = try SQLiteLedgerStore(db).loadState()
        return LedgerSnapshot(
            appliedThrough: try LedgerPosition.read(db), matchers: state.matchers, dirty: state.dirty,
            listings: try Row.fetchAll(db, sql: "SELECT remaining_kg, shared_at, body, part FROM material_listings ORDER BY id").map {
                Entry(offer: try EventCodec.decoder.decode(Listing.self, from: $0["body"] as Data), remainingKg: $0["remaining_kg"],
                      sharedAt: ($0["shared_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)), part: $0["part"])
            },
            demands: try Row.fetchAll(db, sql: "SELECT remaining_kg, body, part FROM material_demands ORDER BY id").map {
                Entry(offer: try EventCodec.decoder.decode(Demand.self, from: $0["body"] as Data), remainingKg: $0["remaining_kg"], sharedAt: nil,
                      part: $0["part"])
            },
            proposals: try Data.fetchAll(db, sql: "SELECT body FROM material_proposals ORDER BY id").map {
                try EventCodec.decoder.decode(MaterialProposal.self, from: $0)
            },
            licences: try SQLiteLedgerStore(db).licensedChapters().mapValues { $0.sorted() })
    }

    /// Replaces the ledger in `db` with this one, at its position.
    public func load(into db: Database) throws {
        for table in ["material_listings", "material_demands", "material_proposals", "material_licences", "material_ledger_state", "material_ledger_position"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        let store = SQLiteLedgerStore(db)
        for entry in listings {
            try store.insertListing(LedgerListing(listing: entry.offer, remainingKg: entry.remainingKg, sharedAt: entry.sharedAt, part: entry.part))
        }
        for entry in demands { try store.insertDemand(LedgerDemand(demand: entry.offer, remainingKg: entry.remainingKg, part: entry.part)) }
        for proposal in proposals { try store.insertProposal(proposal) }
        for (organisation, chapters) in licences { try store.addLicence(organisationId: organisation, chapters: chapters) }
        try store.saveState(MaterialLedger.State(matchers: matchers, dirty: dirty))
        try LedgerPosition.record(appliedThrough, in: db)
    }
}
