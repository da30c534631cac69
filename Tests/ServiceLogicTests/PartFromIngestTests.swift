import EcoModel
import EcoStore
import Foundation
import GRDB
import MatcherService
import Testing

/// A worker takes each offer's market part from ingest's `partitionkey`, so the grid ingest was
/// installed with decides what is matched together (docs/decisions/0016).
@Suite("Market parts as ingest cut them")
struct PartFromIngestTests {
    // 43.48° and 43.52° are on either side of a 0.5° edge, and in one 1° cell.
    static let listing = MaterialLedgerTests.listing("L", latitude: 43.48)
    static let demand = MaterialLedgerTests.demand("D", latitude: 43.52)

    static func proposals(part listingPart: String?, _ demandPart: String?, in store: some MaterialLedgerStore) throws -> [MaterialProposal] {
        _ = try MaterialLedger.apply(.listing(listing, part: listingPart), to: store)
        _ = try MaterialLedger.apply(.demand(demand, part: demandPart), to: store)
        return MaterialLedgerTests.created(try MaterialLedger.apply(MaterialLedgerTests.tick(10), to: store))
    }

    @Test("without a part, offers across a 0.5° edge are in two parts and are not matched")
    func standardGrid() throws {
        #expect(try Self.proposals(part: nil, nil, in: InMemoryLedgerStore()).isEmpty)
    }

    @Test("with the part ingest gave them, the same offers in one 1° cell are matched, in memory and in SQLite")
    func ingestsGrid() throws {
        #expect(try Self.proposals(part: "43:5", "43:5", in: InMemoryLedgerStore()).map(\.demandId) == ["D"])
        let store = try TemporaryStore(MatcherService.migrations, producer: "matcher-0")
        let proposals = try store.pool.write { db in try Self.proposals(part: "43:5", "43:5", in: SQLiteLedgerStore(db)) }
        #expect(proposals.map(\.demandId) == ["D"])
        let parts = try store.pool.read { db in
            let ledger = SQLiteLedgerStore(db)
            return [try ledger.listing("L")?.part, try ledger.demand("D")?.part] + (try ledger.openListings(at: MaterialLedgerTests.start).map(\.part))
        }
        #expect(parts == ["43:5", "43:5", "43:5"], "read back as stored")
    }

    @Test("a part given away takes its offers as ingest cut them")
    func removal() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing, part: "43:5"), to: store)
        try store.removeParts([Self.listing.marketPart])
        #expect(store.listings.count == 1, "the standard grid's part is not the listing's")
        try store.removeParts(["43:5"])
        #expect(store.listings.isEmpty)
    }
}
