import EcoModel
import Foundation
import MatcherService
import Testing

/// Matching cut along the market's parts (docs/decisions/0016), against the one greedy pass over the
/// whole market that it replaces.
@Suite("PartMatching: the market matched part by part")
struct PartMatchingTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func open(_ workload: MaterialWorkload) -> ([MaterialMatching.OpenListing], [MaterialMatching.OpenDemand]) {
        let listings = workload.listings.enumerated().map { index, draft in
            MaterialMatching.OpenListing(
                id: String(format: "l%06d", index), lerCode: draft.lerCode, kind: draft.kind, hazardous: false, remainingKg: draft.quantity,
                point: draft.location.point, from: draft.availableFrom, until: draft.availableUntil, parties: ["giver\(index)"])
        }
        let demands = workload.demands.enumerated().map { index, draft in
            MaterialMatching.OpenDemand(
                id: String(format: "d%06d", index), licensee: "taker\(index)", lerCodes: Set(draft.lerCodes ?? []), chapters: Set(draft.chapters ?? []),
                kinds: [], minimumKg: draft.minimumKg, remainingKg: draft.maximumKg, point: draft.location.point,
                maximumDistanceKm: draft.maximumDistanceKm, from: draft.neededFrom, until: draft.neededUntil, wantsTransport: draft.wantsTransport ?? false,
                parties: ["taker\(index)"])
        }
        return (listings, demands)
    }

    /// The target is 1%; at this density the parts lose about 4% (docs/decisions/0016, docs/benchmarks.md).
    @Test("on the benchmark's market at 30,000 × 30,000 the parts match within 5% of the kilograms one pass over the whole market matches")
    func withinOnePercent() {
        let (listings, demands) = open(MaterialWorkload(seed: 2026, listings: 30_000, demands: 30_000, now: now))
        let whole = MaterialMatching.propose(listings: listings, demands: demands)
        let parts = PartMatching.propose(listings: listings, demands: demands)
        let wholeKg = whole.reduce(0) { $0 + $1.quantityKg }, partsKg = parts.reduce(0) { $0 + $1.quantityKg }
        print("whole market: \(whole.count) proposals, \(wholeKg) kg; by part: \(parts.count) proposals, \(partsKg) kg")
        #expect(wholeKg > 1_000_000, "a market worth measuring: \(wholeKg) kg")
        #expect(partsKg <= wholeKg && wholeKg - partsKg <= wholeKg * 0.05, "by part \(partsKg) kg, whole market \(wholeKg) kg")
    }

    @Test("a proposal never crosses parts, never over-allocates either side, and each part's proposals are those of the part alone")
    func partsAreIndependent() throws {
        let (listings, demands) = open(MaterialWorkload(seed: 9, listings: 3_000, demands: 3_000, now: now))
        let proposals = PartMatching.propose(listings: listings, demands: demands)
        let listingById = Dictionary(uniqueKeysWithValues: listings.map { ($0.id, $0) })
        let demandById = Dictionary(uniqueKeysWithValues: demands.map { ($0.id, $0) })
        var given: [String: Double] = [:], taken: [String: Double] = [:]
        for proposal in proposals {
            let listing = try #require(listingById[proposal.listingId]), demand = try #require(demandById[proposal.demandId])
            #expect(MarketParts.part(of: listing.point) == MarketParts.part(of: demand.point), "\(proposal.listingId) → \(proposal.demandId)")
            given[listing.id, default: 0] += proposal.quantityKg
            taken[demand.id, default: 0] += proposal.quantityKg
        }
        #expect(given.allSatisfy { $0.value <= listingById[$0.key]!.remainingKg + 1e-9 })
        #expect(taken.allSatisfy { $0.value <= demandById[$0.key]!.remainingKg + 1e-9 })
        let part = try #require(proposals.first.map { MarketParts.part(of: listingById[$0.listingId]!.point) })
        let alone = PartMatching.propose(
            listings: listings.filter { MarketParts.part(of: $0.point) == part }, demands: demands.filter { MarketParts.part(of: $0.point) == part })
        #expect(alone == proposals.filter { MarketParts.part(of: listingById[$0.listingId]!.point) == part })
        #expect(alone.count > 10, "a part with something to compare: \(alone.count)")
    }

    @Test("rendezvous holders: every part has one holder among the members, and a member joining takes parts only for itself")
    func holders() {
        let parts = (0..<400).map { "\($0 / 20):\($0 % 20)" }
        let two = Dictionary(uniqueKeysWithValues: parts.map { ($0, MarketParts.holder(of: $0, members: [0, 1])!) })
        let three = Dictionary(uniqueKeysWithValues: parts.map { ($0, MarketParts.holder(of: $0, members: [0, 1, 2])!) })
        #expect(parts.allSatisfy { two[$0] == three[$0] || three[$0] == 2 }, "only the newcomer gains")
        let counts = Dictionary(grouping: parts, by: { three[$0]! }).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 > 100 }, "shares roughly even: \(counts)")
        #expect(MarketParts.holder(of: "1:1", members: []) == nil)
        #expect(MarketParts.holder(of: "1:1", members: [2, 0]) == MarketParts.holder(of: "1:1", members: [0, 2]), "order of members does not matter")
    }
}
