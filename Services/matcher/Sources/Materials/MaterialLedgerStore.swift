import EcoModel
import Foundation

/// A listing as the ledger keeps it: the published listing, what is left of it, and whether it
/// was shared with the community.
public struct LedgerListing: Sendable, Equatable {
    public var listing: Listing
    public var remainingKg: Double
    public var sharedAt: Date?
    /// The market part, from ingest's `partitionkey` (the standard grid's when not given).
    public var part: String
    public init(listing: Listing, remainingKg: Double, sharedAt: Date?, part: String? = nil) {
        self.listing = listing; self.remainingKg = remainingKg; self.sharedAt = sharedAt; self.part = part ?? listing.marketPart
    }
}

/// A demand as the ledger keeps it: the published demand and what it still needs.
public struct LedgerDemand: Sendable, Equatable {
    public var demand: Demand
    public var remainingKg: Double
    /// The market part, from ingest's `partitionkey` (the standard grid's when not given).
    public var part: String
    public init(demand: Demand, remainingKg: Double, part: String? = nil) {
        self.demand = demand; self.remainingKg = remainingKg; self.part = part ?? demand.marketPart
    }
}

/// Where the materials ledger lives: `SQLiteLedgerStore` in a worker (inside the consumer's
/// transaction), `InMemoryLedgerStore` for unit tests and for the reference single-worker run.
public protocol MaterialLedgerStore {
    /// Adds a listing unless one with its id exists. `published` is the listing's JSON as ingest
    /// published it, if at hand: a store that keeps JSON keeps those bytes instead of encoding again.
    func insertListing(_ listing: LedgerListing, published: Data?) throws
    func listing(_ id: String) throws -> LedgerListing?
    /// Replaces what is shown of a known listing (its body); what is left of it does not change.
    func updateListingBody(_ listing: Listing) throws
    /// Replaces a known listing after its publisher's erasure: its body and when it stops being available.
    func redactListing(_ listing: Listing) throws
    /// Replaces a known demand after its requester's erasure: its body and when it stops being needed.
    func redactDemand(_ demand: Demand) throws
    /// Every proposal of the listing or demand `offerId`.
    func proposals(involving offerId: String) throws -> [MaterialProposal]
    /// Adds a demand unless one with its id exists (`published` as for listings).
    func insertDemand(_ demand: LedgerDemand, published: Data?) throws
    func demand(_ id: String) throws -> LedgerDemand?
    /// Adds `kg` (negative to take) to what is left of a listing and of a demand.
    func adjust(listingId: String, demandId: String, byKg kg: Double) throws
    /// Listings with something left and still available after `at`.
    func openListings(at: Date) throws -> [MaterialMatching.OpenListing]
    /// Demands still needing something and still open after `at`.
    func openDemands(at: Date) throws -> [MaterialMatching.OpenDemand]
    /// Every pair ever proposed, as `"listingId|demandId"`.
    func proposedPairs() throws -> Set<String>
    func insertProposal(_ proposal: MaterialProposal) throws
    func proposal(_ id: String) throws -> MaterialProposal?
    func updateProposal(_ proposal: MaterialProposal) throws
    /// Proposals whose deadline is at or before `at`: waiting ones past `expiresAt`, confirmed ones past
    /// `pickupUntil`; by deadline, then id.
    func lapsedProposals(at: Date) throws -> [MaterialProposal]
    /// Non-hazardous listings with something left, never shared, published at or before `publishedBy`, still available after `at`.
    func listingsToShare(publishedBy: Date, at: Date) throws -> [LedgerListing]
    func markShared(listingId: String, at: Date) throws
    func addLicence(organisationId: String, chapters: [String]) throws
    /// The chapters each organisation holds a waste-operator licence for.
    func licensedChapters() throws -> [String: Set<String>]
    /// Forgets market parts: their listings, their demands and their proposals (docs/decisions/0016).
    func removeParts(_ parts: Set<String>) throws
    func loadState() throws -> MaterialLedger.State
    func saveState(_ state: MaterialLedger.State) throws
}

extension MaterialLedgerStore {
    /// Adds a listing unless one with its id exists, encoding it.
    public func insertListing(_ listing: LedgerListing) throws { try insertListing(listing, published: nil) }
    /// Adds a demand unless one with its id exists, encoding it.
    public func insertDemand(_ demand: LedgerDemand) throws { try insertDemand(demand, published: nil) }
}
