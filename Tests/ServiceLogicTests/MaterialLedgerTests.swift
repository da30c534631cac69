import EcoModel
import EcoStore
import Foundation
import GRDB
import MatcherService
import Testing

@Suite("MaterialLedger: proposals, answers, expiry and sharing from ingest's stream")
struct MaterialLedgerTests {
    static let start = Date(timeIntervalSinceReferenceDate: 817_000_000)

    static func listing(_ id: String, code: String = "170201", kg: Double = 1000, hazardous: Bool = false, latitude: Double = 43.30,
                        company: String = "giver", terms: ListingTerms = .donated) -> Listing {
        let draft = ListingDraft(
            kind: .material, lerCode: code, title: id, description: nil, quantity: kg, unit: .kg, densityKgPerUnit: nil, unitMassKg: nil,
            condition: "used", location: Place(latitude: latitude, longitude: 5.37, address: "A"),
            availableFrom: start, availableUntil: start.addingTimeInterval(30 * 86_400), terms: terms, priceCents: nil,
            treatmentOperation: hazardous ? "R5" : nil, organisationId: nil)
        return Listing(
            id: id, companyId: company, draft: draft, lerCode: code, hazardous: hazardous, quantityKg: kg,
            impact: ImpactLabel(co2eAvoidedKg: kg * 0.5, factor: EmissionFactor(version: "reuse-test", kgCO2ePerUnit: 0.5, unit: "kg", source: "test")),
            version: 1, createdAt: start)
    }

    static func demand(_ id: String, codes: [String] = ["170201"], min: Double = 100, max: Double = 600, requester: String = "taker",
                       organisation: String? = nil, latitude: Double = 43.29) -> Demand {
        let draft = DemandDraft(
            lerCodes: codes, chapters: [], kinds: nil, title: id, minimumKg: min, maximumKg: max,
            location: Place(latitude: latitude, longitude: 5.38, address: "B"), maximumDistanceKm: 50,
            neededFrom: start, neededUntil: start.addingTimeInterval(20 * 86_400), wantsTransport: false, organisationId: organisation)
        return Demand(id: id, requesterId: requester, draft: draft, lerCodes: codes, chapters: [], version: 1, createdAt: start)
    }

    static func tick(_ seconds: TimeInterval, matchers: Int = 1, timeout: Double = 3600, shareAfter: Double = 7200) -> MaterialLedger.Input {
        .tick(MatchingTick(at: start.addingTimeInterval(seconds), matchers: matchers, proposalTimeoutSeconds: timeout, shareAfterSeconds: shareAfter))
    }

    static func created(_ outputs: [MaterialLedger.Output]) -> [MaterialProposal] {
        outputs.compactMap { if case .proposal(ProposalChanged.createdTopic, let proposal) = $0 { proposal } else { nil } }
    }

    @Test("a tick proposes what is open; the listing and the demand keep only what is left")
    func round() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("L", kg: 1000)), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demand("D", max: 600)), to: store)
        let proposals = Self.created(try MaterialLedger.apply(Self.tick(10), to: store))
        #expect(proposals.map(\.quantityKg) == [600])
        #expect(proposals.first?.id == MaterialProposal.id(listingId: "L", demandId: "D"))
        #expect(proposals.first?.co2eAvoidedKg == 300)
        #expect(try store.listing("L")?.remainingKg == 400)
        #expect(try store.demand("D")?.remainingKg == 0)
        #expect(try MaterialLedger.apply(Self.tick(20), to: store).isEmpty, "nothing changed, nothing proposed")
    }

    @Test("both acceptances confirm and hand over through a reservation; the validated pickup completes the operation")
    func confirmAndComplete() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("L")), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demand("D")), to: store)
        let proposal = try #require(Self.created(try MaterialLedger.apply(Self.tick(10), to: store)).first)
        func answer(_ side: ProposalSide, _ accept: Bool) -> MaterialLedger.Input {
            .response(ProposalResponded(proposalId: proposal.id, listingId: "L", demandId: "D", side: side, accept: accept, by: "x", at: Self.start))
        }
        let first = try MaterialLedger.apply(answer(.listing, true), to: store)
        guard case .proposal(ProposalChanged.acceptedTopic, let accepted) = first.first, first.count == 1 else { Issue.record("\(first)"); return }
        #expect(accepted.listingAccepted && !accepted.demandAccepted)
        #expect(try MaterialLedger.apply(answer(.listing, true), to: store).isEmpty, "the same answer again changes nothing")
        let second = try MaterialLedger.apply(answer(.demand, true), to: store)
        guard case .handover(let reservation) = second.last else { Issue.record("no handover in \(second)"); return }
        #expect(reservation.id == proposal.id && reservation.listingId == "L" && reservation.merchantId == "giver" && reservation.takerId == "taker")
        #expect(try store.proposal(proposal.id)?.status == .confirmed)
        #expect(try MaterialLedger.apply(answer(.demand, false), to: store).isEmpty, "a confirmed proposal cannot be declined")
        var pickup = PickupCompleted(
            reservationId: proposal.id, lotId: "L", takerId: "taker", merchantId: "giver", validatedBy: "giver", baskets: 1, meals: 0,
            weightKg: proposal.quantityKg, valueSavedCents: 0, isFree: true, completedAt: Self.start.addingTimeInterval(100))
        pickup.listingId = "L"
        let done = try MaterialLedger.apply(.handover(pickup), to: store)
        guard case .completed(let operation) = done.first else { Issue.record("no operation in \(done)"); return }
        #expect(operation.quantityKg == 600 && operation.co2eAvoidedKg == 300)
        #expect(try MaterialLedger.apply(.handover(pickup), to: store).isEmpty, "completed once")
    }

    @Test("a declined or expired proposal returns its quantity, and the pair is never proposed again")
    func declineAndExpire() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("L", kg: 500)), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demand("D1", max: 500)), to: store)
        let first = try #require(Self.created(try MaterialLedger.apply(Self.tick(10), to: store)).first)
        _ = try MaterialLedger.apply(.response(ProposalResponded(
            proposalId: first.id, listingId: "L", demandId: "D1", side: .demand, accept: false, by: "taker", at: Self.start)), to: store)
        #expect(try store.listing("L")?.remainingKg == 500)
        _ = try MaterialLedger.apply(.demand(Self.demand("D2", max: 500, latitude: 43.40)), to: store)
        let second = try #require(Self.created(try MaterialLedger.apply(Self.tick(20), to: store)).first)
        #expect(second.demandId == "D2", "the declined pair is not proposed again; the next demand gets the listing")
        let expiring = try MaterialLedger.apply(Self.tick(20 + 3600), to: store)
        #expect(expiring.contains(.proposal(topic: ProposalChanged.expiredTopic, { var p = second; p.status = .expired; return p }())))
        #expect(try store.listing("L")?.remainingKg == 500)
        #expect(try store.demand("D2")?.remainingKg == 500)
    }

    @Test("a confirmed proposal whose pickup window ends without a handover expires and gives its quantity back")
    func missedHandover() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("L")), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demand("D", max: 1000)), to: store)
        let proposal = try #require(Self.created(try MaterialLedger.apply(Self.tick(10, timeout: 30 * 86_400), to: store)).first)
        #expect(proposal.quantityKg == 1000, "the whole listing, so that nothing is left to share meanwhile")
        for side in [ProposalSide.listing, .demand] {
            _ = try MaterialLedger.apply(.response(ProposalResponded(
                proposalId: proposal.id, listingId: "L", demandId: "D", side: side, accept: true, by: "x", at: Self.start)), to: store)
        }
        #expect(try MaterialLedger.apply(Self.tick(proposal.pickupUntil.timeIntervalSince(Self.start) - 1), to: store).isEmpty)
        let lapsed = try MaterialLedger.apply(Self.tick(proposal.pickupUntil.timeIntervalSince(Self.start)), to: store)
        guard case .proposal(ProposalChanged.expiredTopic, let expired) = lapsed.first else { Issue.record("\(lapsed)"); return }
        #expect(expired.id == proposal.id && expired.listingAccepted && expired.demandAccepted)
        #expect(try store.proposal(proposal.id)?.status == .expired)
        #expect(try store.listing("L")?.remainingKg == 1000)
    }

    @Test("a company's listing is never proposed to its own demand")
    func ownSide() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("L", company: "same")), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demand("D", requester: "same")), to: store)
        #expect(Self.created(try MaterialLedger.apply(Self.tick(10), to: store)).isEmpty)
    }

    @Test("unmatched listings are shared after the delay, hazardous ones never")
    func sharing() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("plain")), to: store)
        _ = try MaterialLedger.apply(.listing(Self.listing("toxic", code: "170503", hazardous: true)), to: store)
        #expect(try MaterialLedger.apply(Self.tick(60), to: store).isEmpty)
        let shared = try MaterialLedger.apply(Self.tick(7200), to: store)
        #expect(shared.map(\.listingId) == ["plain"])
        #expect(try MaterialLedger.apply(Self.tick(9000), to: store).isEmpty, "shared once")
    }

    @Test("a hazardous listing waits for a licensed requester")
    func licences() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(Self.listing("toxic", code: "170503", hazardous: true)), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demand("D", codes: ["170503"], organisation: "operator")), to: store)
        #expect(Self.created(try MaterialLedger.apply(Self.tick(10), to: store)).isEmpty)
        _ = try MaterialLedger.apply(.licence(LicenceRecorded(organisationId: "operator", chapters: ["16"], licenceNumber: "A", recordedBy: "admin", at: Self.start)), to: store)
        #expect(Self.created(try MaterialLedger.apply(Self.tick(20), to: store)).isEmpty, "a licence for another chapter does not count")
        _ = try MaterialLedger.apply(.licence(LicenceRecorded(organisationId: "operator", chapters: ["17"], licenceNumber: "B", recordedBy: "admin", at: Self.start)), to: store)
        let proposal = try #require(Self.created(try MaterialLedger.apply(Self.tick(30), to: store)).first)
        #expect(proposal.hazardous && proposal.treatmentOperation == "R5")
    }

    @Test("the SQLite ledger and the in-memory ledger give the same outputs for the same stream")
    func storesAgree() throws {
        var generator = SplitMix64(seed: 7)
        var inputs: [MaterialLedger.Input] = []
        var listings: [Listing] = [], demands: [Demand] = []
        for index in 0..<120 {
            let code = ["170201", "170203", "170405"][Int.random(in: 0..<3, using: &generator)]
            if index % 2 == 0 {
                listings.append(Self.listing(String(format: "L%03d", index), code: code, kg: Double.random(in: 50...2000, using: &generator).rounded(),
                                             latitude: 43.2 + Double.random(in: 0...0.5, using: &generator)))
                inputs.append(.listing(listings[listings.count - 1]))
            } else {
                demands.append(Self.demand(String(format: "D%03d", index), codes: [code], min: 20, max: Double.random(in: 100...900, using: &generator).rounded(),
                                           latitude: 43.2 + Double.random(in: 0...0.5, using: &generator)))
                inputs.append(.demand(demands[demands.count - 1]))
            }
            if index % 15 == 14 { inputs.append(Self.tick(Double(index) * 100, matchers: 3, timeout: 1500, shareAfter: 5000)) }
            // Now and then a sole trader is erased: an earlier listing or demand stops being offered.
            if index % 20 == 19 {
                let ends = Self.start.addingTimeInterval(Double(index) * 100)
                var listing = listings[listings.count - 10]
                _ = OfferRedaction.redact(&listing)
                listing.draft.availableUntil = ends
                var demand = demands[demands.count - 10]
                _ = OfferRedaction.redact(&demand)
                demand.draft.neededUntil = ends
                inputs += [.listingRedacted(listing), .demandRedacted(demand)]
            }
        }
        inputs.append(Self.tick(20_000, matchers: 3, timeout: 1500, shareAfter: 5000))
        inputs.insert(.licence(LicenceRecorded(organisationId: "taker", chapters: ["17"], licenceNumber: "L", recordedBy: "admin", at: Self.start)), at: 10)
        let memory = InMemoryLedgerStore()
        let temporary = try TemporaryStore(MatcherService.migrations)
        var fromMemory: [MaterialLedger.Output] = []
        var fromDisk: [MaterialLedger.Output] = []
        func apply(_ input: MaterialLedger.Input) throws -> [MaterialLedger.Output] {
            let memoryOutputs = try MaterialLedger.apply(input, to: memory)
            fromMemory += memoryOutputs
            fromDisk += try temporary.pool.write { db in try MaterialLedger.apply(input, to: SQLiteLedgerStore(db)) }
            return memoryOutputs
        }
        for input in inputs {
            // Answer what each round proposed: decline one in three, accept both sides of another, leave the rest to expire.
            for (position, proposal) in Self.created(try apply(input)).enumerated() {
                func answer(_ side: ProposalSide, _ accept: Bool) -> MaterialLedger.Input {
                    .response(ProposalResponded(proposalId: proposal.id, listingId: proposal.listingId, demandId: proposal.demandId,
                                                side: side, accept: accept, by: "x", at: proposal.createdAt))
                }
                switch position % 3 {
                case 0: _ = try apply(answer(.demand, false))
                case 1: _ = try apply(answer(.listing, true)); _ = try apply(answer(.demand, true))
                default: break
                }
            }
        }
        #expect(fromMemory.count > 20)
        #expect(fromMemory.contains { if case .handover = $0 { true } else { false } })
        #expect(fromMemory.contains { if case .proposal(ProposalChanged.expiredTopic, _) = $0 { true } else { false } })
        #expect(fromMemory.contains { if case .proposal(ProposalChanged.declinedTopic, _) = $0 { true } else { false } })
        #expect(fromMemory == fromDisk)
    }
}
