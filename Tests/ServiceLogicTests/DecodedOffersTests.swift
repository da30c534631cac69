import EcoBus
import EcoModel
import Foundation
import GRDB
@testable import MatcherService
import Testing

@Suite("DecodedOffers: a round reads the offers a worker decoded, never a stale one")
struct DecodedOffersTests {
    /// A decoder that counts its calls.
    final class CountingDecoder: @unchecked Sendable {
        var calls = 0
        func listing(_ body: Data) throws -> Listing {
            calls += 1
            return try EventCodec.decoder.decode(Listing.self, from: body)
        }
    }

    @Test("a kept listing is answered for the same bytes only, and memory stays within two generations")
    func generations() throws {
        let offers = DecodedOffers(capacity: 2)
        let decoder = CountingDecoder()
        let listings = (1...5).map { MaterialLedgerTests.listing("L\($0)", kg: 100) }
        let bodies = try listings.map { try EventCodec.encoder.encode($0) }
        offers.keep(listings[0], id: "L1", body: bodies[0])
        #expect(try offers.listing(id: "L1", body: bodies[0], decode: decoder.listing) == listings[0])
        #expect(decoder.calls == 0, "kept: not decoded again")
        var rewritten = listings[0]
        rewritten.draft.title = "Rewritten"
        let rewrittenBody = try EventCodec.encoder.encode(rewritten)
        #expect(try offers.listing(id: "L1", body: rewrittenBody, decode: decoder.listing) == rewritten, "other bytes: decoded")
        #expect(decoder.calls == 1)
        for index in 1..<5 { offers.keep(listings[index], id: "L\(index + 1)", body: bodies[index]) }
        #expect(offers.counts.listings <= 4, "two generations of two")
        #expect(try offers.listing(id: "L5", body: bodies[4], decode: decoder.listing) == listings[4])
        #expect(try offers.listing(id: "L4", body: bodies[3], decode: decoder.listing) == listings[3])
        #expect(decoder.calls == 1, "the two newest are kept")
        #expect(try offers.listing(id: "L2", body: bodies[1], decode: decoder.listing) == listings[1])
        #expect(decoder.calls == 2, "an old one was dropped and is decoded again")
    }

    @Test("through the store: an applied offer reads back without decoding, and a rewritten body reads as rewritten")
    func throughTheStore() throws {
        let temporary = try TemporaryStore(MatcherService.migrations)
        let offers = DecodedOffers()
        let listing = MaterialLedgerTests.listing("L1", kg: 700)
        let demand = MaterialLedgerTests.demand("D1", max: 400)
        let listingJSON = try EventCodec.encoder.encode(listing), demandJSON = try EventCodec.encoder.encode(demand)
        try temporary.pool.write { db in
            let store = SQLiteLedgerStore(db, decoded: offers)
            _ = try MaterialLedger.apply(.listing(listing, published: listingJSON, part: "43:5"), to: store)
            _ = try MaterialLedger.apply(.demand(demand, published: demandJSON, part: "43:5"), to: store)
        }
        #expect(offers.counts.listings == 1 && offers.counts.demands == 1)
        let rolledBack = MaterialLedgerTests.listing("L2", kg: 10)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try temporary.pool.write { db in
                _ = try MaterialLedger.apply(.listing(rolledBack, published: try EventCodec.encoder.encode(rolledBack), part: "43:5"), to: SQLiteLedgerStore(db, decoded: offers))
                throw Abort()
            }
        }
        // The rolled-back listing's id comes again with other bytes: the store answers the row's listing.
        var again = rolledBack
        again.draft.title = "Published again"
        try temporary.pool.write { db in
            // Inserted with no JSON of ingest's, so nothing is kept for it: only the row's bytes can answer.
            _ = try MaterialLedger.apply(.listing(again, published: nil, part: "43:5"), to: SQLiteLedgerStore(db, decoded: offers))
        }
        var updated = listing
        updated.draft.title = "Updated title"
        let read = try temporary.pool.write { db in
            let store = SQLiteLedgerStore(db, decoded: offers)
            let before = (try store.listing("L1")?.listing, try store.demand("D1")?.demand, try store.listing("L2")?.listing)
            try store.updateListingBody(updated)
            return (before, try store.listing("L1")?.listing)
        }
        #expect(read.0.0 == listing && read.0.1 == demand)
        #expect(read.0.2 == again, "the rolled-back insert's listing, kept under the same id, is not what is read")
        #expect(read.1 == updated, "a rewritten body is decoded, not answered from the cache")
    }
}
