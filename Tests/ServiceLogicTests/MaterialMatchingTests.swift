import EcoModel
import Foundation
import MatcherService
import Testing

@Suite("MaterialMatching: pairing surplus with demand")
struct MaterialMatchingTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func listing(_ id: String, code: String = "170201", kg: Double = 1000, hazardous: Bool = false, latitude: Double = 43.30, kind: ListingKind = .material) -> Listing {
        let draft = ListingDraft(
            kind: kind, lerCode: code, title: id, description: nil, quantity: kg, unit: .kg, densityKgPerUnit: nil, unitMassKg: nil,
            condition: "used", location: Place(latitude: latitude, longitude: 5.37, address: "A"),
            availableFrom: start, availableUntil: start.addingTimeInterval(10 * 86_400), terms: .donated, priceCents: nil,
            treatmentOperation: hazardous ? "R5" : nil, organisationId: nil)
        return Listing(
            id: id, companyId: "company", draft: draft, lerCode: code, hazardous: hazardous, quantityKg: kg,
            impact: ImpactLabel(co2eAvoidedKg: nil, factor: EmissionFactor(version: "v", kgCO2ePerUnit: 0, unit: "kg", source: "test")),
            version: 1, createdAt: start)
    }

    func demand(_ id: String, codes: [String] = ["170201"], chapters: [String] = [], min: Double = 100, max: Double = 600,
                distanceKm: Double = 50, from: TimeInterval = 0, requester: String = "taker") -> Demand {
        let draft = DemandDraft(
            lerCodes: codes, chapters: chapters, kinds: nil, title: id, minimumKg: min, maximumKg: max,
            location: Place(latitude: 43.29, longitude: 5.38, address: "B"), maximumDistanceKm: distanceKm,
            neededFrom: start.addingTimeInterval(from), neededUntil: start.addingTimeInterval(from + 5 * 86_400), wantsTransport: true, organisationId: nil)
        return Demand(id: id, requesterId: requester, draft: draft, lerCodes: codes, chapters: chapters, version: 1, createdAt: start)
    }

    @Test("a listing is split between demands, never giving more than it has nor a demand more than it asked")
    func partial() {
        let proposals = MaterialMatching.propose(listings: [listing("L1", kg: 1000)], demands: [demand("D1", max: 600), demand("D2", max: 600)])
        #expect(proposals.map(\.quantityKg) == [600, 400])
        #expect(proposals.reduce(0) { $0 + $1.quantityKg } <= 1000)
        #expect(proposals.allSatisfy { $0.suggestsMission })
    }

    @Test("exact codes beat chapters; distance, windows and minimums exclude pairs")
    func rules() {
        let listings = [listing("L1", code: "170201"), listing("L2", code: "170203")]
        let byChapter = demand("D1", codes: [], chapters: ["17"], max: 1000)
        let exact = demand("D2", codes: ["170203"], max: 1000)
        let proposals = MaterialMatching.propose(listings: listings, demands: [byChapter, exact])
        #expect(proposals.first == proposals.first { $0.listingId == "L2" && $0.demandId == "D2" })
        #expect(MaterialMatching.propose(listings: [listing("far", latitude: 45.76)], demands: [demand("D", distanceKm: 20)]).isEmpty)
        #expect(MaterialMatching.propose(listings: [listing("L")], demands: [demand("late", from: 20 * 86_400)]).isEmpty)
        #expect(MaterialMatching.propose(listings: [listing("small", kg: 50)], demands: [demand("D", min: 100)]).isEmpty)
    }

    @Test("hazardous listings go only to requesters licensed for their chapter")
    func hazardous() {
        let toxic = listing("H", code: "170503", hazardous: true)
        let wanting = demand("D", codes: ["170503"], requester: "operator")
        #expect(MaterialMatching.propose(listings: [toxic], demands: [wanting]).isEmpty)
        #expect(MaterialMatching.propose(listings: [toxic], demands: [wanting], licensedChapters: ["operator": ["17"]]).count == 1)
        #expect(MaterialMatching.propose(listings: [toxic], demands: [wanting], licensedChapters: ["operator": ["16"]]).isEmpty)
    }

    @Test("the result does not depend on the order of the input")
    func deterministic() {
        var listings: [Listing] = []
        for index in 0..<30 {
            let code = index % 2 == 0 ? "170201" : "170203"
            let kg = Double(200 + index * 37)
            listings.append(listing("L\(index)", code: code, kg: kg))
        }
        var demands: [Demand] = []
        for index in 0..<20 {
            let maximum = Double(300 + index * 11)
            demands.append(demand("D\(index)", codes: ["170201", "170203"], min: 50, max: maximum))
        }
        let reference = MaterialMatching.propose(listings: listings, demands: demands)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            #expect(MaterialMatching.propose(listings: listings.shuffled(using: &generator), demands: demands.shuffled(using: &generator)) == reference)
        }
        for listing in listings {
            let given: Double = reference.filter { $0.listingId == listing.id }.map(\.quantityKg).reduce(0, +)
            let has: Double = listing.quantityKg ?? 0
            #expect(given <= has + 1e-9)
        }
        for demand in demands {
            let got: Double = reference.filter { $0.demandId == demand.id }.map(\.quantityKg).reduce(0, +)
            #expect(got <= demand.draft.maximumKg + 1e-9)
        }
    }

    @Test("a listing passed over while the demand wanted more than it had is proposed once other listings leave the demand needing no more than it has")
    func passedOverPairIsTakenAgain() {
        // The nearer listing ranks first, but its 30 kg are under the demand's 50 kg minimum; the
        // farther one gives 80 kg, and then the nearer one covers all the 20 kg still needed.
        let near = listing("near", kg: 30, latitude: 43.2901), far = listing("far", kg: 80, latitude: 43.30)
        let proposals = MaterialMatching.propose(listings: [near, far], demands: [demand("D", min: 50, max: 100)])
        #expect(proposals.map { "\($0.listingId) \($0.quantityKg)" } == ["far 80.0", "near 20.0"])
    }

    @Test("on random markets, no compatible pair is left that the rule would still propose", arguments: Array(1...10) as [UInt64])
    func nothingLeftToTake(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let listings = (0..<60).map { index in
            MaterialMatching.OpenListing(listing("L\(index)", latitude: 43.28 + Double.random(in: 0..<0.04, using: &random)),
                                         remainingKg: Double(Int.random(in: 1...8, using: &random) * 25))
        }
        let demands = (0..<40).map { index in
            let minimum = Double(Int.random(in: 2...8, using: &random) * 25), maximum = minimum + Double(Int.random(in: 0...8, using: &random) * 25)
            return MaterialMatching.OpenDemand(demand("D\(index)", min: minimum, max: maximum), remainingKg: maximum)
        }
        let proposals = MaterialMatching.propose(listings: listings, demands: demands)
        var left = Dictionary(uniqueKeysWithValues: listings.map { ($0.id, $0.remainingKg) })
        var needed = Dictionary(uniqueKeysWithValues: demands.map { ($0.id, $0.remainingKg) })
        for proposal in proposals {
            left[proposal.listingId]! -= proposal.quantityKg
            needed[proposal.demandId]! -= proposal.quantityKg
        }
        #expect(left.values.allSatisfy { $0 >= -1e-9 } && needed.values.allSatisfy { $0 >= -1e-9 }, "nothing over-allocated")
        let proposed = Set(proposals.map { $0.listingId + "|" + $0.demandId })
        var untaken: [String] = []
        for listing in listings {
            for demand in demands where !proposed.contains(listing.id + "|" + demand.id) && MaterialMatching.compatible(listing, demand, licensedChapters: [:]) != nil {
                let quantity = min(left[listing.id]!, needed[demand.id]!)
                if quantity >= MaterialMatching.minimumQuantityKg, quantity >= min(demand.minimumKg, needed[demand.id]!) {
                    untaken.append("\(listing.id)–\(demand.id) \(quantity) kg")
                }
            }
        }
        #expect(untaken.isEmpty, "pairs the rule would still take: \(untaken)")
        #expect(proposals.count > 20, "the market is one where pairs compete: \(proposals.count) proposals")
    }
}
