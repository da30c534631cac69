import EcoModel
import Foundation
import GRDB

extension SQLiteLedgerStore {
    public func removeParts(_ parts: Set<String>) throws {
        // Through the parts' indexes (matcher.v6, `PartColumns`), and for proposals the pair and demand indexes.
        for part in parts.sorted() {
            for sql in [
                "DELETE FROM material_proposals WHERE listing_id IN (SELECT id FROM material_listings WHERE part = ?)",
                "DELETE FROM material_proposals WHERE demand_id IN (SELECT id FROM material_demands WHERE part = ?)",
                "DELETE FROM material_listings WHERE part = ?",
                "DELETE FROM material_demands WHERE part = ?",
            ] {
                try db.execute(sql: sql, arguments: [part])
            }
        }
    }

    /// Adds what `rebuilt` holds of `parts`: listings, demands and the proposals between them.
    func insert(_ rebuilt: InMemoryLedgerStore, parts: Set<String>) throws -> (listings: Int, demands: Int, proposals: Int) {
        let listings = rebuilt.listings.values.filter { parts.contains($0.part) }
        let demands = rebuilt.demands.values.filter { parts.contains($0.part) }
        let listingIds = Set(listings.map(\.listing.id))
        let proposals = rebuilt.proposals.values.filter { listingIds.contains($0.listingId) }
        for listing in listings.sorted(by: { $0.listing.id < $1.listing.id }) { try insertListing(listing) }
        for demand in demands.sorted(by: { $0.demand.id < $1.demand.id }) { try insertDemand(demand) }
        for proposal in proposals.sorted(by: { $0.id < $1.id }) { try insertProposal(proposal) }
        return (listings.count, demands.count, proposals.count)
    }
}
