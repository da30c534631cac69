import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB
@testable import MatcherService
import Testing

@Suite("A worker keeps a published offer's JSON as ingest wrote it")
struct PublishedOfferBodyTests {
    private static func received<T: Codable & Sendable>(_ topic: String, _ data: T, sequence: Int64) throws -> ReceivedEvent {
        // Pretty-printed and in a different key order from the matcher's own encoder, so that
        // keeping the bytes and encoding again cannot give the same body by chance.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let payload = try encoder.encode(CloudEvent(source: "ingest", type: topic, sequence: sequence, data: data))
        return ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: payload), payload: payload)
    }

    @Test("listing.published and demand.published store the offer's bytes, and they read back as the offer")
    func keepsTheBytes() throws {
        let listing = MaterialLedgerTests.listing("L1", kg: 700)
        let demand = MaterialLedgerTests.demand("D1", max: 400)
        let listingEvent = try Self.received(ListingPublished.topic, ListingPublished(listing: listing), sequence: 1)
        let demandEvent = try Self.received(DemandPublished.topic, DemandPublished(demand: demand), sequence: 2)
        let temporary = try TemporaryStore(MatcherService.migrations)
        for event in [listingEvent, demandEvent] {
            let input = try #require(try MaterialsInput.decode(event))
            _ = try temporary.pool.write { db in try MaterialLedger.apply(input, to: SQLiteLedgerStore(db)) }
        }
        let listingData = try #require(listingEvent.dataBytes)
        let demandData = try #require(demandEvent.dataBytes)
        let listingJSON = try #require(JSONMemberSpan.bytes(of: "listing", in: listingData))
        let demandJSON = try #require(JSONMemberSpan.bytes(of: "demand", in: demandData))
        let stored = try temporary.pool.read { db in
            (listingBody: try Data.fetchOne(db, sql: "SELECT body FROM material_listings WHERE id = 'L1'"),
             demandBody: try Data.fetchOne(db, sql: "SELECT body FROM material_demands WHERE id = 'D1'"),
             listing: try SQLiteLedgerStore(db).listing("L1")?.listing, demand: try SQLiteLedgerStore(db).demand("D1")?.demand)
        }
        #expect(stored.listingBody == listingJSON)
        #expect(stored.demandBody == demandJSON)
        #expect(stored.listing == listing)
        #expect(stored.demand == demand)
        let encodedAgain = try EventCodec.encoder.encode(listing)
        #expect(listingJSON != encodedAgain)
    }
}
