import EcoModel
import Foundation

/// One matching round cut along the market's parts (docs/decisions/0016): each part's listings and
/// demands are matched by themselves, parts in key order, so the proposals for a part are the same
/// whichever worker holds it and whatever else that worker holds.
public enum PartMatching {
    public static func propose(listings: [MaterialMatching.OpenListing], demands: [MaterialMatching.OpenDemand],
                               licensedChapters: [String: Set<String>] = [:], excluded: Set<String> = []) -> [MaterialMatching.Proposal] {
        var listingsByPart: [String: [MaterialMatching.OpenListing]] = [:]
        var demandsByPart: [String: [MaterialMatching.OpenDemand]] = [:]
        for listing in listings { listingsByPart[listing.part, default: []].append(listing) }
        for demand in demands { demandsByPart[demand.part, default: []].append(demand) }
        var proposals: [MaterialMatching.Proposal] = []
        for part in listingsByPart.keys.sorted() {
            guard let partDemands = demandsByPart[part], let partListings = listingsByPart[part] else { continue }
            proposals += MaterialMatching.propose(
                listings: partListings, demands: partDemands, licensedChapters: licensedChapters, excluded: excluded)
        }
        return proposals
    }
}
