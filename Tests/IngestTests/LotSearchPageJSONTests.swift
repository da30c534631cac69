import EcoBus
import EcoModel
import Foundation
@testable import IngestService
import Testing

/// The page of lots near a point is written around the lots' stored JSON bodies; it must read back
/// as the same `LotRequests.SearchPage` as one encoded whole.
@Suite("LotSearchPageJSON: a page spliced around stored lots reads as the encoded page")
struct LotSearchPageJSONTests {
    static func lot(_ id: String, title: String) -> Lot {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        return Lot(id: id, merchantId: "shop", draft: LotDraft(
            title: title, category: .bakery, baskets: 3, mealsPerBasket: 1.5, weightPerBasketKg: 0.75, originalValueCents: 1200,
            priceCents: 400, pickupStart: now, pickupEnd: now.addingTimeInterval(3600),
            location: Place(latitude: 43.29, longitude: 5.37, address: "1 quai \"du\" Port")), status: .published, version: 2, createdAt: now, updatedAt: now)
    }

    @Test("hits with small, large and whole distances, a cursor to escape, and an empty last page")
    func splicedEqualsEncoded() throws {
        let hits = [
            LotRequests.SearchHit(lot: Self.lot("a", title: "Pains / \u{00e9}t\u{00e9} \\ \"frais\""), distanceKm: 0.00003, basketsLeft: 2),
            LotRequests.SearchHit(lot: Self.lot("b", title: "Fruits"), distanceKm: 4.999999999, basketsLeft: 1),
            LotRequests.SearchHit(lot: Self.lot("c", title: "Légumes"), distanceKm: 2, basketsLeft: 3),
        ]
        for (items, cursor) in [(hits, "4.99\"/x\\y"), ([], nil)] as [([LotRequests.SearchHit], String?)] {
            var json = LotSearchPageJSON()
            for hit in items { json.append(lot: try EventCodec.encoder.encode(hit.lot), distanceKm: hit.distanceKm, basketsLeft: hit.basketsLeft) }
            let bytes = try json.finish(nextCursor: cursor)
            let spliced = try EventCodec.decoder.decode(LotRequests.SearchPage.self, from: bytes)
            // The last page has no cursor member at all: the API's document gives it as a string, never null.
            let members = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
            #expect(Set(members.keys) == (cursor == nil ? ["items"] : ["items", "nextCursor"]))
            let whole = try EventCodec.decoder.decode(
                LotRequests.SearchPage.self, from: try EventCodec.encoder.encode(LotRequests.SearchPage(items: items, nextCursor: cursor)))
            #expect(spliced.items == whole.items)
            #expect(spliced.nextCursor == cursor && whole.nextCursor == cursor)
        }
    }
}
