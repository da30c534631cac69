import EcoModel
import Foundation

/// Pairs surplus listings with demands: pure and deterministic, so that any worker, or one
/// worker alone, computes the same proposals from the same input. (Not yet wired to the bus:
/// the matcher service will feed it from `listing.*` and `demand.*` and record the proposals.)
///
/// A pair is compatible when the listing's code is wanted (exactly, by chapter, or by kind), the
/// distance is within the demand's limit, the windows overlap, and a hazardous listing goes only to
/// a requester licensed for its chapter. Pairs are taken best score first; ties are broken by ids,
/// so the result is unique. A listing may be split between demands (partial matches), but it never
/// gives more than it has, and a demand never gets more than its maximum.
public enum MaterialMatching {
    public struct Proposal: Sendable, Equatable {
        public let listingId: String
        public let demandId: String
        public let quantityKg: Double
        public let distanceKm: Double
        public let pickupFrom: Date
        public let pickupUntil: Date
        public let score: Double
        /// Whether the taker asked for transport: a collector mission is suggested then.
        public let suggestsMission: Bool
    }

    /// How well a listing fits a demand: an exact code beats a chapter, which beats a kind.
    public enum Fit: Int, Sendable, Comparable {
        case kind = 1, chapter = 2, code = 3
        public static func < (lhs: Fit, rhs: Fit) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public static func fit(_ listing: Listing, _ demand: Demand) -> Fit? {
        if demand.lerCodes.contains(listing.lerCode) { return .code }
        if demand.chapters.contains(String(listing.lerCode.prefix(2))) { return .chapter }
        if demand.lerCodes.isEmpty, demand.chapters.isEmpty, let kinds = demand.draft.kinds, kinds.contains(listing.draft.kind) { return .kind }
        return nil
    }

    /// - Parameter licensedChapters: the List of Waste chapters each requester holds a waste-operator licence for.
    public static func propose(listings: [Listing], demands: [Demand], licensedChapters: [String: Set<String>] = [:]) -> [Proposal] {
        struct Candidate {
            let listing: Listing
            let demand: Demand
            let fit: Fit
            let distanceKm: Double
            let from: Date
            let until: Date
            let score: Double
        }
        var candidates: [Candidate] = []
        for listing in listings {
            guard let available = listing.quantityKg, available > 0 else { continue }
            for demand in demands {
                guard let fit = fit(listing, demand) else { continue }
                if listing.hazardous, !(licensedChapters[demand.requesterId] ?? []).contains(String(listing.lerCode.prefix(2))) { continue }
                let distance = listing.draft.location.point.distanceKm(to: demand.draft.location.point)
                guard distance <= demand.draft.maximumDistanceKm else { continue }
                let from = max(listing.draft.availableFrom, demand.draft.neededFrom)
                let until = min(listing.draft.availableUntil, demand.draft.neededUntil)
                guard from < until else { continue }
                // Fit dominates, then nearness, then how much of the demand one listing covers.
                let coverage = min(available, demand.draft.maximumKg) / demand.draft.maximumKg
                let score = Double(fit.rawValue) * 1000 - distance + coverage
                candidates.append(Candidate(listing: listing, demand: demand, fit: fit, distanceKm: distance, from: from, until: until, score: score))
            }
        }
        candidates.sort { ($0.score, $1.listing.id, $1.demand.id) > ($1.score, $0.listing.id, $0.demand.id) }
        var left = Dictionary(uniqueKeysWithValues: listings.compactMap { listing in listing.quantityKg.map { (listing.id, $0) } })
        var taken: [String: Double] = [:]
        var proposals: [Proposal] = []
        for candidate in candidates {
            let demand = candidate.demand
            let remainingListing = left[candidate.listing.id] ?? 0
            let remainingDemand = demand.draft.maximumKg - (taken[demand.id] ?? 0)
            let quantity = min(remainingListing, remainingDemand)
            // Each proposal is worth making: at least the demand's minimum, or all that it still needs.
            guard quantity > 0, quantity >= min(demand.draft.minimumKg, remainingDemand) else { continue }
            left[candidate.listing.id] = remainingListing - quantity
            taken[demand.id, default: 0] += quantity
            proposals.append(Proposal(
                listingId: candidate.listing.id, demandId: demand.id, quantityKg: quantity,
                distanceKm: (candidate.distanceKm * 1000).rounded() / 1000, pickupFrom: candidate.from, pickupUntil: candidate.until,
                score: candidate.score, suggestsMission: demand.draft.wantsTransport ?? false))
        }
        return proposals
    }
}
