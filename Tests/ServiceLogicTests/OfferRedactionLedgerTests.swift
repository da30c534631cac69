import EcoModel
import Foundation
import MatcherService
import Testing

/// A sole trader's erasure in the materials ledger: `listing.redacted` and `demand.redacted` take
/// their text out of the ledger and its proposals, and the offer is matched no more.
@Suite("MaterialLedger: a sole trader's offers after their erasure")
struct OfferRedactionLedgerTests {
    static let start = MaterialLedgerTests.start

    static func demandWantingTransport(_ id: String, requester: String = "taker") -> Demand {
        var demand = MaterialLedgerTests.demand(id, requester: requester)
        demand.draft.wantsTransport = true
        return demand
    }

    @Test("a redacted listing shows no text, its proposals lose its address, and it is proposed no more")
    func listing() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(MaterialLedgerTests.listing("L", kg: 2000)), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demandWantingTransport("D")), to: store)
        let proposal = try #require(MaterialLedgerTests.created(try MaterialLedger.apply(MaterialLedgerTests.tick(10), to: store)).first)
        #expect(proposal.suggestedMission?.pickup.address == "A")

        var redacted = try #require(try store.listing("L")).listing
        #expect(OfferRedaction.redact(&redacted))
        redacted.draft.availableUntil = Self.start.addingTimeInterval(20)
        redacted.version += 1
        #expect(try MaterialLedger.apply(.listingRedacted(redacted), to: store).isEmpty)
        #expect(try store.listing("L")?.listing.draft.title == Erased.text)
        let kept = try #require(try store.proposal(proposal.id))
        #expect(kept.suggestedMission?.pickup.address == Erased.text, "the listing's address is out of its proposal")
        #expect(kept.suggestedMission?.dropOff.address == "B", "the other side's stays")
        #expect(kept.status == .proposed, "the proposal itself is left to lapse")

        // 1,400 kg are left of the listing, but it is no longer offered.
        _ = try MaterialLedger.apply(.demand(Self.demandWantingTransport("D2", requester: "another")), to: store)
        #expect(MaterialLedgerTests.created(try MaterialLedger.apply(MaterialLedgerTests.tick(30), to: store)).isEmpty)
        #expect(try MaterialLedger.apply(MaterialLedgerTests.tick(8000, shareAfter: 10), to: store).allSatisfy {
            if case .shared = $0 { false } else { true }
        }, "nor shared with the community")
    }

    @Test("a redacted demand shows no text, its proposals lose its address, and it is matched no more")
    func demand() throws {
        let store = InMemoryLedgerStore()
        _ = try MaterialLedger.apply(.listing(MaterialLedgerTests.listing("L", kg: 300)), to: store)
        _ = try MaterialLedger.apply(.demand(Self.demandWantingTransport("D")), to: store)
        let proposal = try #require(MaterialLedgerTests.created(try MaterialLedger.apply(MaterialLedgerTests.tick(10), to: store)).first)

        var redacted = try #require(try store.demand("D")).demand
        #expect(OfferRedaction.redact(&redacted))
        redacted.draft.neededUntil = Self.start.addingTimeInterval(20)
        #expect(try MaterialLedger.apply(.demandRedacted(redacted), to: store).isEmpty)
        #expect(try store.demand("D")?.demand.draft.title == Erased.text)
        let kept = try #require(try store.proposal(proposal.id))
        #expect(kept.suggestedMission?.dropOff.address == Erased.text && kept.suggestedMission?.pickup.address == "A")

        _ = try MaterialLedger.apply(.listing(MaterialLedgerTests.listing("L2", kg: 300, company: "another")), to: store)
        #expect(MaterialLedgerTests.created(try MaterialLedger.apply(MaterialLedgerTests.tick(30), to: store)).isEmpty,
                "300 kg of the demand are still unmet, but it is no longer wanted")
    }

    @Test("a redaction of an offer the worker never held changes nothing")
    func unknown() throws {
        let store = InMemoryLedgerStore()
        #expect(try MaterialLedger.apply(.listingRedacted(MaterialLedgerTests.listing("nowhere")), to: store).isEmpty)
        #expect(try store.listing("nowhere") == nil)
    }
}
