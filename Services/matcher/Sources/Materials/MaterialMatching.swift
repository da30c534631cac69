import EcoModel
import Foundation

/// Pairs surplus listings with demands: pure and deterministic, so that every worker, or one
/// worker alone, computes the same proposals from the same input.
///
/// A pair is compatible when the listing's code is wanted (exactly, by chapter, or by kind), the
/// distance is within the demand's limit, the windows overlap, and a hazardous listing goes only to
/// a requester licensed for its chapter. Pairs are taken best score first; ties are broken by ids,
/// so the result is unique; a pair passed over is taken again once others have left it worth making. A listing may be split between demands (partial matches), but it never
/// gives more than it has left, and a demand never gets more than it still needs.
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

    /// What matching needs of a listing: what is left of it, where and when.
    public struct OpenListing: Sendable, Equatable {
        public var id: String
        public var lerCode: String
        public var kind: ListingKind
        public var hazardous: Bool
        public var remainingKg: Double
        public var point: GeoPoint
        public var from: Date
        public var until: Date
        /// The publisher's account and organisation: a listing is never proposed to its own side.
        public var parties: [String]
        /// The market part, as ingest cut it (the standard grid's when not given).
        public var part: String
        public var chapter: String { String(lerCode.prefix(2)) }

        public init(id: String, lerCode: String, kind: ListingKind, hazardous: Bool, remainingKg: Double, point: GeoPoint, from: Date, until: Date,
                    parties: [String] = [], part: String? = nil) {
            self.id = id; self.lerCode = lerCode; self.kind = kind; self.hazardous = hazardous; self.remainingKg = remainingKg
            self.point = point; self.from = from; self.until = until; self.parties = parties
            self.part = part ?? MarketParts.part(of: point)
        }

        public init(_ listing: Listing, remainingKg: Double, part: String? = nil) {
            self.init(id: listing.id, lerCode: listing.lerCode, kind: listing.draft.kind, hazardous: listing.hazardous,
                      remainingKg: remainingKg, point: listing.draft.location.point, from: listing.draft.availableFrom, until: listing.draft.availableUntil,
                      parties: [listing.companyId] + (listing.draft.organisationId.map { [$0] } ?? []), part: part)
        }
    }

    /// What matching needs of a demand: what it wants, what it still needs, where and when.
    public struct OpenDemand: Sendable, Equatable {
        public var id: String
        /// Whose waste-operator licences count: the demand's organisation, or else its requester.
        public var licensee: String
        public var lerCodes: Set<String>
        public var chapters: Set<String>
        /// Kinds wanted when neither codes nor chapters are given; nil or empty wants none by kind.
        public var kinds: Set<ListingKind>
        public var minimumKg: Double
        public var remainingKg: Double
        public var point: GeoPoint
        public var maximumDistanceKm: Double
        public var from: Date
        public var until: Date
        public var wantsTransport: Bool
        /// The requester's account and organisation.
        public var parties: [String]
        /// The market part, as ingest cut it (the standard grid's when not given).
        public var part: String

        public init(id: String, licensee: String, lerCodes: Set<String>, chapters: Set<String>, kinds: Set<ListingKind>, minimumKg: Double,
                    remainingKg: Double, point: GeoPoint, maximumDistanceKm: Double, from: Date, until: Date, wantsTransport: Bool, parties: [String] = [],
                    part: String? = nil) {
            self.id = id; self.licensee = licensee; self.lerCodes = lerCodes; self.chapters = chapters; self.kinds = kinds
            self.minimumKg = minimumKg; self.remainingKg = remainingKg; self.point = point; self.maximumDistanceKm = maximumDistanceKm
            self.from = from; self.until = until; self.wantsTransport = wantsTransport; self.parties = parties
            self.part = part ?? MarketParts.part(of: point)
        }

        public init(_ demand: Demand, remainingKg: Double, part: String? = nil) {
            self.init(id: demand.id, licensee: demand.draft.organisationId ?? demand.requesterId, lerCodes: Set(demand.lerCodes),
                      chapters: Set(demand.chapters), kinds: Set(demand.draft.kinds ?? []), minimumKg: demand.draft.minimumKg,
                      remainingKg: remainingKg, point: demand.draft.location.point, maximumDistanceKm: demand.draft.maximumDistanceKm,
                      from: demand.draft.neededFrom, until: demand.draft.neededUntil, wantsTransport: demand.draft.wantsTransport ?? false,
                      parties: [demand.requesterId] + (demand.draft.organisationId.map { [$0] } ?? []), part: part)
        }
    }

    /// The smallest quantity proposed: 1 g, so that what float arithmetic leaves behind is never offered.
    public static let minimumQuantityKg = 0.001

    public static func fit(_ listing: OpenListing, _ demand: OpenDemand) -> Fit? {
        if demand.lerCodes.contains(listing.lerCode) { return .code }
        if !demand.chapters.isEmpty, demand.chapters.contains(listing.chapter) { return .chapter }
        if demand.lerCodes.isEmpty, demand.chapters.isEmpty, demand.kinds.contains(listing.kind) { return .kind }
        return nil
    }

    /// Whether a pair may be matched at all, whatever is left of either side: the same test the
    /// allocation applies, for checks that every matchable pair was considered.
    public static func compatible(_ listing: OpenListing, _ demand: OpenDemand, licensedChapters: [String: Set<String>]) -> (fit: Fit, distanceKm: Double)? {
        guard let fit = fit(listing, demand) else { return nil }
        guard !listing.parties.contains(where: demand.parties.contains) else { return nil }
        if listing.hazardous, !(licensedChapters[demand.licensee] ?? []).contains(listing.chapter) { return nil }
        guard max(listing.from, demand.from) < min(listing.until, demand.until) else { return nil }
        let distance = listing.point.distanceKm(to: demand.point)
        guard distance <= demand.maximumDistanceKm else { return nil }
        return (fit, distance)
    }

    /// Convenience for whole listings and demands, nothing allocated yet.
    public static func propose(listings: [Listing], demands: [Demand], licensedChapters: [String: Set<String>] = [:]) -> [Proposal] {
        propose(
            listings: listings.compactMap { listing in listing.quantityKg.map { OpenListing(listing, remainingKg: $0) } },
            demands: demands.map { OpenDemand($0, remainingKg: $0.draft.maximumKg) },
            licensedChapters: licensedChapters)
    }

    /// - Parameters:
    ///   - licensedChapters: the List of Waste chapters each licensee holds a waste-operator licence for.
    ///   - excluded: `"listingId|demandId"` pairs never to propose (already proposed once).
    public static func propose(listings unsorted: [OpenListing], demands unsortedDemands: [OpenDemand], licensedChapters: [String: Set<String>] = [:],
                               excluded: Set<String> = []) -> [Proposal] {
        // In id order, so that ties between equal scores are broken by position.
        let listings = unsorted.sorted { $0.id < $1.id }
        let demands = unsortedDemands.sorted { $0.id < $1.id }
        let demandPosition = Dictionary(demands.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let listingPosition = Dictionary(listings.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var excludedPairs = Set<Int>()
        for pair in excluded {
            let parts = pair.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let l = listingPosition[String(parts[0])], let d = demandPosition[String(parts[1])] else { continue }
            excludedPairs.insert(l * demands.count + d)
        }
        let index = DemandIndex(demands)
        var candidates: [Candidate] = []
        var seen = [Int](repeating: -1, count: demands.count)
        for (listingIndex, listing) in listings.enumerated() where listing.remainingKg >= minimumQuantityKg {
            index.forEachNearby(listing) { demandIndex in
                guard seen[demandIndex] != listingIndex else { return }
                seen[demandIndex] = listingIndex
                let demand = demands[demandIndex]
                guard demand.remainingKg >= minimumQuantityKg,
                      excludedPairs.isEmpty || !excludedPairs.contains(listingIndex * demands.count + demandIndex),
                      let (fit, distance) = compatible(listing, demand, licensedChapters: licensedChapters) else { return }
                // Fit dominates, then nearness, then how much of the demand one listing covers.
                let coverage = min(listing.remainingKg, demand.remainingKg) / demand.remainingKg
                let score = Double(fit.rawValue) * 1000 - distance + coverage
                candidates.append(Candidate(listing: Int32(listingIndex), demand: Int32(demandIndex), distanceKm: distance, score: score))
            }
        }
        candidates.sort {
            if $0.score != $1.score { return $0.score > $1.score }
            if $0.listing != $1.listing { return $0.listing < $1.listing }
            return $0.demand < $1.demand
        }
        return allocate(candidates, listings: listings, demands: demands)
    }

    /// A compatible pair, by positions in the sorted listings and demands, with what ranks it.
    struct Candidate {
        let listing: Int32
        let demand: Int32
        let distanceKm: Double
        let score: Double
    }

    /// Takes the candidates (positions in `listings` and `demands`, sorted best first) greedily, each
    /// proposal worth making: at least the demand's minimum, or all that it still needs. A pair passed
    /// over because the demand still needed more than the listing had may be worth making once other
    /// listings have filled the demand, so the passed-over pairs are taken again, in the same order,
    /// until a pass proposes nothing: no pair is left that the rule would take.
    static func allocate(_ candidates: [Candidate], listings: [OpenListing], demands: [OpenDemand]) -> [Proposal] {
        var left = listings.map(\.remainingKg)
        var needed = demands.map(\.remainingKg)
        var proposals: [Proposal] = []
        var pending = candidates
        while !pending.isEmpty {
            var passedOver: [Candidate] = [], proposedInPass = false
            for candidate in pending {
                let (l, d) = (Int(candidate.listing), Int(candidate.demand))
                let quantity = min(left[l], needed[d])
                guard quantity >= minimumQuantityKg else { continue }  // one side is spent, for good
                guard quantity >= min(demands[d].minimumKg, needed[d]) else {
                    passedOver.append(candidate)
                    continue
                }
                left[l] -= quantity
                needed[d] -= quantity
                proposedInPass = true
                let listing = listings[l], demand = demands[d]
                proposals.append(Proposal(
                    listingId: listing.id, demandId: demand.id, quantityKg: quantity,
                    distanceKm: (candidate.distanceKm * 1000).rounded() / 1000,
                    pickupFrom: max(listing.from, demand.from), pickupUntil: min(listing.until, demand.until),
                    score: candidate.score, suggestsMission: demand.wantsTransport))
            }
            guard proposedInPass else { break }
            pending = passedOver
        }
        return proposals
    }
}
