import EcoModel
import Foundation

/// The materials exchange's allocation, as a deterministic state machine over ingest's stream:
/// listings, demands, licences, answers and ticks all come from ingest, in ingest's order. Rounds
/// run part by part (docs/decisions/0016), so a ledger that holds some of the market's parts makes
/// for them the proposals a ledger holding the whole market makes; the worker holding a part
/// announces what its ledger outputs for it.
public enum MaterialLedger {
    /// What the ledger remembers between inputs besides its tables.
    public struct State: Sendable, Equatable {
        /// The worker count of the latest tick (ingest's configuration; the members hold the parts, `PartHolding`).
        public var matchers: Int
        /// Something changed since the last round (new listing or demand, quantity returned, licence).
        public var dirty: Bool
        public init(matchers: Int = 1, dirty: Bool = false) { self.matchers = matchers; self.dirty = dirty }
    }

    /// What the ledger applies; all from ingest's stream.
    public enum Input: Sendable {
        /// A published listing, with its JSON as ingest published it when at hand (`published`), which
        /// a store may keep as it is instead of encoding the listing again.
        /// `part` is the listing's market part as ingest cut it (its event's `partitionkey`).
        case listing(Listing, published: Data? = nil, part: String? = nil)
        /// The listing after a change that leaves its allocation alone (photos): only what is shown changes.
        case listingUpdated(Listing)
        case demand(Demand, published: Data? = nil, part: String? = nil)
        /// The listing or demand after its sole-trader publisher was erased (`listing.redacted`,
        /// `demand.redacted`): what is shown changes, and it stops being offered or wanted.
        case listingRedacted(Listing)
        case demandRedacted(Demand)
        case licence(LicenceRecorded)
        case response(ProposalResponded)
        case tick(MatchingTick)
        /// A validated handover (`handover.validated`, ingest's copy of the pickup validator's `pickup.completed`).
        case handover(PickupCompleted)
    }

    /// A change to announce, by the worker that owns `listingId`.
    public enum Output: Sendable, Equatable {
        case proposal(topic: String, MaterialProposal)
        case shared(ListingShared)
        /// A confirmed proposal's handover: the pickup validator issues its QR code and PIN.
        case handover(Reservation)
        case completed(OperationCompleted)

        public var listingId: String {
            switch self {
            case .proposal(_, let proposal): proposal.listingId
            case .shared(let shared): shared.listing.id
            case .handover(let reservation): reservation.lotId
            case .completed(let operation): operation.listingId
            }
        }
    }

    /// Applies one input of ingest's stream; returns the changes to announce (by their owners).
    public static func apply(_ input: Input, to store: some MaterialLedgerStore) throws -> [Output] {
        var state = try store.loadState()
        let before = state
        let outputs = try apply(input, to: store, state: &state)
        if state != before { try store.saveState(state) }
        return outputs
    }

    static func apply(_ input: Input, to store: some MaterialLedgerStore, state: inout State) throws -> [Output] {
        switch input {
        case .listing(let listing, let published, let part):
            guard try store.listing(listing.id) == nil, let kg = listing.quantityKg, kg > 0 else { return [] }
            try store.insertListing(LedgerListing(listing: listing, remainingKg: kg, sharedAt: nil, part: part), published: published)
            state.dirty = true
            return []
        case .listingUpdated(let listing):
            try store.updateListingBody(listing)
            return []
        case .demand(let demand, let published, let part):
            guard try store.demand(demand.id) == nil else { return [] }
            try store.insertDemand(LedgerDemand(demand: demand, remainingKg: demand.draft.maximumKg, part: part), published: published)
            state.dirty = true
            return []
        case .listingRedacted(let listing):
            guard try store.listing(listing.id) != nil else { return [] }
            try store.redactListing(listing)
            try redactProposals(of: listing.id, in: store)
            return []
        case .demandRedacted(let demand):
            guard try store.demand(demand.id) != nil else { return [] }
            try store.redactDemand(demand)
            try redactProposals(of: demand.id, in: store)
            return []
        case .licence(let licence):
            try store.addLicence(organisationId: licence.organisationId, chapters: licence.chapters)
            state.dirty = true
            return []
        case .response(let response):
            return try respond(response, store: store, state: &state)
        case .handover(let pickup):
            return try complete(pickup, store: store)
        case .tick(let tick):
            state.matchers = max(1, tick.matchers)
            var outputs = try expire(at: tick.at, store: store, state: &state)
            if state.dirty {
                outputs += try round(tick, store: store)
                state.dirty = false
            }
            outputs += try share(tick, store: store)
            return outputs
        }
    }

    /// Takes the erased offer's addresses out of its proposals; nothing to announce (the proposals'
    /// events are rewritten by the worker that announced them).
    static func redactProposals(of offerId: String, in store: some MaterialLedgerStore) throws {
        for var proposal in try store.proposals(involving: offerId) where OfferRedaction.redact(&proposal, offer: offerId) {
            try store.updateProposal(proposal)
        }
    }

    static func respond(_ response: ProposalResponded, store: some MaterialLedgerStore, state: inout State) throws -> [Output] {
        // An answer that arrives after the proposal expired or was declined changes nothing.
        guard var proposal = try store.proposal(response.proposalId), proposal.status == .proposed else { return [] }
        guard response.accept else {
            proposal.status = .declined
            try store.updateProposal(proposal)
            try store.adjust(listingId: proposal.listingId, demandId: proposal.demandId, byKg: proposal.quantityKg)
            state.dirty = true
            return [.proposal(topic: ProposalChanged.declinedTopic, proposal)]
        }
        switch response.side {
        case .listing:
            guard !proposal.listingAccepted else { return [] }
            proposal.listingAccepted = true
        case .demand:
            guard !proposal.demandAccepted else { return [] }
            proposal.demandAccepted = true
        }
        guard proposal.listingAccepted, proposal.demandAccepted else {
            try store.updateProposal(proposal)
            return [.proposal(topic: ProposalChanged.acceptedTopic, proposal)]
        }
        proposal.status = .confirmed
        try store.updateProposal(proposal)
        let terms = try store.listing(proposal.listingId)?.listing.draft.terms
        return [.proposal(topic: ProposalChanged.confirmedTopic, proposal), .handover(handover(for: proposal, free: terms != .sold))]
    }

    /// Proposals nobody answered in time, and confirmed ones whose pickup window ended without a
    /// handover: both expire, and their quantity returns to the listing and the demand.
    static func expire(at: Date, store: some MaterialLedgerStore, state: inout State) throws -> [Output] {
        try store.lapsedProposals(at: at).map { proposal in
            var proposal = proposal
            proposal.status = .expired
            try store.updateProposal(proposal)
            try store.adjust(listingId: proposal.listingId, demandId: proposal.demandId, byKg: proposal.quantityKg)
            state.dirty = true
            return .proposal(topic: ProposalChanged.expiredTopic, proposal)
        }
    }

    /// One matching round over everything still open at the tick, part by part (docs/decisions/0016).
    static func round(_ tick: MatchingTick, store: some MaterialLedgerStore) throws -> [Output] {
        let proposals = PartMatching.propose(
            listings: try store.openListings(at: tick.at), demands: try store.openDemands(at: tick.at),
            licensedChapters: try store.licensedChapters(), excluded: try store.proposedPairs())
        var outputs: [Output] = []
        outputs.reserveCapacity(proposals.count)
        // A listing split between demands, or a demand filled from several listings, is read once.
        var listings: [String: Listing] = [:], demands: [String: Demand] = [:]
        for match in proposals {
            if listings[match.listingId] == nil { listings[match.listingId] = try store.listing(match.listingId)?.listing }
            if demands[match.demandId] == nil { demands[match.demandId] = try store.demand(match.demandId)?.demand }
            guard let listing = listings[match.listingId], let demand = demands[match.demandId] else { continue }
            let factor = listing.impact.factor
            var proposal = MaterialProposal(
                id: MaterialProposal.id(listingId: listing.id, demandId: demand.id), listingId: listing.id, demandId: demand.id,
                giverId: listing.companyId, giverOrganisationId: listing.draft.organisationId, takerId: demand.requesterId,
                takerOrganisationId: demand.draft.organisationId, lerCode: listing.lerCode, hazardous: listing.hazardous,
                treatmentOperation: listing.draft.treatmentOperation, quantityKg: match.quantityKg, distanceKm: match.distanceKm,
                pickupFrom: match.pickupFrom, pickupUntil: match.pickupUntil, score: match.score, suggestsMission: match.suggestsMission,
                co2eAvoidedKg: listing.impact.co2eAvoidedKg == nil ? nil : match.quantityKg * factor.kgCO2ePerUnit,
                factorVersion: factor.version, status: .proposed, listingAccepted: false, demandAccepted: false,
                createdAt: tick.at, expiresAt: tick.at.addingTimeInterval(tick.proposalTimeoutSeconds))
            if match.suggestsMission {
                proposal.suggestedMission = SuggestedMission(
                    pickup: listing.draft.location, dropOff: demand.draft.location, from: match.pickupFrom, until: match.pickupUntil,
                    distanceKm: match.distanceKm, quantityKg: match.quantityKg)
            }
            try store.insertProposal(proposal)
            try store.adjust(listingId: listing.id, demandId: demand.id, byKg: -match.quantityKg)
            outputs.append(.proposal(topic: ProposalChanged.createdTopic, proposal))
        }
        return outputs
    }

    /// Listings nobody matched within the delay go to the community feed; hazardous ones never do.
    static func share(_ tick: MatchingTick, store: some MaterialLedgerStore) throws -> [Output] {
        try store.listingsToShare(publishedBy: tick.at.addingTimeInterval(-tick.shareAfterSeconds), at: tick.at).map { entry in
            try store.markShared(listingId: entry.listing.id, at: tick.at)
            return .shared(ListingShared(listing: entry.listing, remainingKg: entry.remainingKg, sharedAt: tick.at))
        }
    }

    /// A validated handover of a confirmed proposal: it becomes a completed operation.
    static func complete(_ pickup: PickupCompleted, store: some MaterialLedgerStore) throws -> [Output] {
        guard var proposal = try store.proposal(pickup.reservationId), proposal.status == .confirmed else { return [] }
        proposal.status = .completed
        try store.updateProposal(proposal)
        let operation = OperationCompleted(
            operationId: proposal.id, listingId: proposal.listingId, demandId: proposal.demandId, giverId: proposal.giverId,
            takerId: proposal.takerId, lerCode: proposal.lerCode, hazardous: proposal.hazardous, treatmentOperation: proposal.treatmentOperation,
            quantityKg: proposal.quantityKg, co2eAvoidedKg: proposal.co2eAvoidedKg ?? 0, factorVersion: proposal.factorVersion,
            completedAt: pickup.completedAt)
        return [.completed(operation)]
    }

    /// The handover of a confirmed proposal, in the form the pickup validator already checks for food lots:
    /// the giver is the "merchant" who validates, the taker shows the QR code.
    static func handover(for proposal: MaterialProposal, free: Bool) -> Reservation {
        var reservation = Reservation(
            id: proposal.id, lotId: proposal.listingId, takerId: proposal.takerId, merchantId: proposal.giverId,
            organisationId: proposal.giverOrganisationId, baskets: 1, isFree: free, pickupStart: proposal.pickupFrom,
            pickupEnd: proposal.pickupUntil, mealsPerBasket: 0, weightPerBasketKg: proposal.quantityKg, originalValueCents: 0,
            priceCents: 0, status: .active, createdAt: proposal.createdAt)
        reservation.listingId = proposal.listingId
        return reservation
    }
}
