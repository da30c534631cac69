import EcoModel
import Foundation

/// The materials ledger in memory: for unit tests, and for the reference single-worker run the
/// scaling test compares the workers against.
public final class InMemoryLedgerStore: MaterialLedgerStore {
    public private(set) var listings: [String: LedgerListing] = [:]
    public private(set) var demands: [String: LedgerDemand] = [:]
    public private(set) var proposals: [String: MaterialProposal] = [:]
    private var licences: [String: Set<String>] = [:]
    private var state = MaterialLedger.State()

    public init() {}

    public func insertListing(_ listing: LedgerListing, published: Data?) throws {
        if listings[listing.listing.id] == nil { listings[listing.listing.id] = listing }
    }

    public func listing(_ id: String) throws -> LedgerListing? { listings[id] }

    public func updateListingBody(_ listing: Listing) throws { listings[listing.id]?.listing = listing }

    public func redactListing(_ listing: Listing) throws { listings[listing.id]?.listing = listing }
    public func redactDemand(_ demand: Demand) throws { demands[demand.id]?.demand = demand }

    public func proposals(involving offerId: String) throws -> [MaterialProposal] {
        proposals.values.filter { $0.listingId == offerId || $0.demandId == offerId }.sorted { $0.id < $1.id }
    }

    public func insertDemand(_ demand: LedgerDemand, published: Data?) throws {
        if demands[demand.demand.id] == nil { demands[demand.demand.id] = demand }
    }

    public func demand(_ id: String) throws -> LedgerDemand? { demands[id] }

    public func adjust(listingId: String, demandId: String, byKg kg: Double) throws {
        listings[listingId]?.remainingKg += kg
        demands[demandId]?.remainingKg += kg
    }

    public func openListings(at: Date) throws -> [MaterialMatching.OpenListing] {
        listings.values.filter { $0.remainingKg > 0 && $0.listing.draft.availableUntil > at }
            .map { MaterialMatching.OpenListing($0.listing, remainingKg: $0.remainingKg, part: $0.part) }
    }

    public func openDemands(at: Date) throws -> [MaterialMatching.OpenDemand] {
        demands.values.filter { $0.remainingKg > 0 && $0.demand.draft.neededUntil > at }
            .map { MaterialMatching.OpenDemand($0.demand, remainingKg: $0.remainingKg, part: $0.part) }
    }

    public func proposedPairs() throws -> Set<String> {
        Set(proposals.values.map { $0.listingId + "|" + $0.demandId })
    }

    public func insertProposal(_ proposal: MaterialProposal) throws { proposals[proposal.id] = proposal }
    public func proposal(_ id: String) throws -> MaterialProposal? { proposals[id] }
    public func updateProposal(_ proposal: MaterialProposal) throws { proposals[proposal.id] = proposal }

    public func lapsedProposals(at: Date) throws -> [MaterialProposal] {
        func deadline(_ proposal: MaterialProposal) -> Date { proposal.status == .proposed ? proposal.expiresAt : proposal.pickupUntil }
        return proposals.values.filter { ($0.status == .proposed || $0.status == .confirmed) && deadline($0) <= at }
            .sorted { (deadline($0), $0.id) < (deadline($1), $1.id) }
    }

    public func listingsToShare(publishedBy: Date, at: Date) throws -> [LedgerListing] {
        listings.values.filter {
            !$0.listing.hazardous && $0.remainingKg > 0 && $0.sharedAt == nil && $0.listing.createdAt <= publishedBy && $0.listing.draft.availableUntil > at
        }.sorted { $0.listing.id < $1.listing.id }
    }

    public func markShared(listingId: String, at: Date) throws { listings[listingId]?.sharedAt = at }

    public func addLicence(organisationId: String, chapters: [String]) throws {
        licences[organisationId, default: []].formUnion(chapters)
    }

    public func licensedChapters() throws -> [String: Set<String>] { licences }

    public func removeParts(_ parts: Set<String>) throws {
        let gone = Set(listings.values.filter { parts.contains($0.part) }.map(\.listing.id))
            .union(demands.values.filter { parts.contains($0.part) }.map(\.demand.id))
        listings = listings.filter { !gone.contains($0.key) }
        demands = demands.filter { !gone.contains($0.key) }
        proposals = proposals.filter { !gone.contains($0.value.listingId) && !gone.contains($0.value.demandId) }
    }
    public func loadState() throws -> MaterialLedger.State { state }
    public func saveState(_ state: MaterialLedger.State) throws { self.state = state }
}
