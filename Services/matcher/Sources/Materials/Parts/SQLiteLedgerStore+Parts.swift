import EcoModel
import Foundation
import GRDB

extension SQLiteLedgerStore {
    public func removeParts(_ parts: Set<String>) throws {
        guard !parts.isEmpty else { return }
        func ids(_ table: String) throws -> [String] {
            try Row.fetchAll(db, sql: "SELECT id, latitude, longitude FROM \(table)").compactMap { row in
                parts.contains(MarketParts.part(of: GeoPoint(latitude: row["latitude"], longitude: row["longitude"]))) ? row["id"] : nil
            }
        }
        let listings = try ids("material_listings"), demands = try ids("material_demands")
        for id in listings {
            try db.execute(sql: "DELETE FROM material_proposals WHERE listing_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM material_listings WHERE id = ?", arguments: [id])
        }
        for id in demands {
            try db.execute(sql: "DELETE FROM material_proposals WHERE demand_id = ?", arguments: [id])  // material_proposals_demand
            try db.execute(sql: "DELETE FROM material_demands WHERE id = ?", arguments: [id])
        }
    }

    /// Adds what `rebuilt` holds of `parts`: listings, demands and the proposals between them.
    func insert(_ rebuilt: InMemoryLedgerStore, parts: Set<String>) throws -> (listings: Int, demands: Int, proposals: Int) {
        let listings = rebuilt.listings.values.filter { parts.contains($0.listing.marketPart) }
        let demands = rebuilt.demands.values.filter { parts.contains($0.demand.marketPart) }
        let listingIds = Set(listings.map(\.listing.id))
        let proposals = rebuilt.proposals.values.filter { listingIds.contains($0.listingId) }
        for listing in listings.sorted(by: { $0.listing.id < $1.listing.id }) { try insertListing(listing) }
        for demand in demands.sorted(by: { $0.demand.id < $1.demand.id }) { try insertDemand(demand) }
        for proposal in proposals.sorted(by: { $0.id < $1.id }) { try insertProposal(proposal) }
        return (listings.count, demands.count, proposals.count)
    }
}
