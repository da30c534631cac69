import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB
import IngestService
import Testing

/// Browsing lots near a point from the search columns (`lots.baskets_left`): what is left follows
/// the reservations in the same transaction, sold-out lots leave the list, and the cursor is a
/// place in (distance, id) order that lots coming and going do not move.
@Suite("LotStore.search: baskets left kept with the reservations, pages that hold while lots come and go")
struct LotSearchTests {
    let pool: DatabasePool
    let store: LotStore
    let center = GeoPoint(latitude: 43.2965, longitude: 5.3698)
    let merchant = Actor(accountId: "shop", organisationIds: [])

    init() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lot-search-\(UUID().uuidString).sqlite")
        pool = try DatabaseOpener.open(at: file, fullSync: false, migrations: BusSchema.migrations + IngestService.migrations)
        store = LotStore(database: pool, outbox: Outbox(producer: "ingest"), area: .anywhere)
    }

    func publish(_ title: String, eastKm: Double, baskets: Int = 3) async throws -> Lot {
        let start = Date().addingTimeInterval(3600)
        return try await store.create(LotDraft(
            title: title, category: .bakery, baskets: baskets, mealsPerBasket: 2, weightPerBasketKg: 1, originalValueCents: 1000,
            priceCents: 500, pickupStart: start, pickupEnd: start.addingTimeInterval(3600),
            location: Place(latitude: center.latitude, longitude: center.longitude + eastKm / 81.0, address: "quai")), by: merchant)
    }

    func search(limit: Int = 2, cursor: String? = nil) async throws -> LotRequests.SearchPage {
        try await store.search(LotRequests.Search(near: center, radiusKm: 5, category: nil, pickupFrom: nil, pickupUntil: nil,
                                                  includeFree: false, limit: limit, cursor: cursor))
    }

    func reserve(_ lot: Lot, _ id: String, baskets: Int, status: ReservationStatus) async throws {
        let reservation = Reservation(
            id: id, lotId: lot.id, takerId: "t", merchantId: "shop", organisationId: nil, baskets: baskets, isFree: false,
            pickupStart: lot.draft.pickupStart, pickupEnd: lot.draft.pickupEnd, mealsPerBasket: 2, weightPerBasketKg: 1,
            originalValueCents: 1000, priceCents: 500, status: status, createdAt: Date())
        let json = try EventCodec.encoder.encode(CloudEvent(
            id: UUID().uuidString, source: "matcher-0", type: status == .cancelled ? ReservationChanged.cancelledTopic : ReservationChanged.createdTopic,
            sequence: 1, data: ReservationChanged(reservation: reservation, reason: status == .cancelled ? .takerCancelled : .reserved)))
        let event = ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: json), payload: json)
        try await pool.write { db in try ReservedBaskets().apply(event, in: db) }
    }

    @Test("baskets left follow the reservations; a sold-out lot leaves the list and comes back when a reservation is cancelled")
    func basketsLeft() async throws {
        let lot = try await publish("Pain", eastKm: 1)
        #expect(try await search().items.map(\.basketsLeft) == [3])
        try await reserve(lot, "r1", baskets: 2, status: .active)
        #expect(try await search().items.map(\.basketsLeft) == [1])
        try await reserve(lot, "r2", baskets: 1, status: .active)
        #expect(try await search().items.isEmpty, "sold out")
        try await reserve(lot, "r1", baskets: 2, status: .cancelled)
        #expect(try await search().items.map(\.basketsLeft) == [2])
        #expect(try await store.detail(id: lot.id)?.basketsLeft == 2, "the same as the lot's own count")
    }

    @Test("paging through 300 lots at random places gives each lot within the radius once, in (distance, id) order, as a full sort does")
    func pagesEqualAFullSort() async throws {
        var generator = SystemRandomNumberGenerator()
        var expected: [(Double, String)] = []
        for index in 0..<300 {
            // Some on the same spot, so that ties at the metre are broken by id.
            let east = index % 10 == 0 ? 1.5 : Double.random(in: -7...7, using: &generator)
            let lot = try await publish("R\(index)", eastKm: east)
            let distance = center.distanceKm(to: lot.draft.location.point)
            if distance <= 5 { expected.append(((distance * 1000).rounded() / 1000, lot.id)) }
        }
        expected.sort { $0 < $1 }
        var seen: [(Double, String)] = []
        var cursor: String?
        repeat {
            let page = try await search(limit: 7, cursor: cursor)
            seen += page.items.map { ($0.distanceKm, $0.lot.id) }
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.map(\.1) == expected.map(\.1))
        #expect(seen.map(\.0) == expected.map(\.0))
    }

    @Test("pages follow (distance, id); a lot published nearer meanwhile does not shift the next page, nor repeat one")
    func keyset() async throws {
        for (index, km) in [1.0, 2.0, 3.0, 4.0].enumerated() { _ = try await publish("L\(index)", eastKm: km) }
        let first = try await search()
        #expect(first.items.map(\.lot.draft.title) == ["L0", "L1"])
        _ = try await publish("nearer", eastKm: 0.5)
        let second = try await search(cursor: first.nextCursor)
        #expect(second.items.map(\.lot.draft.title) == ["L2", "L3"], "nothing repeated, nothing skipped")
        #expect(second.nextCursor == nil)
        #expect(try await search(limit: 10).items.map(\.lot.draft.title) == ["nearer", "L0", "L1", "L2", "L3"])
        await #expect(throws: RemoteError.self) { try await search(cursor: "7") }
        await #expect(throws: RemoteError.self) { try await search(cursor: "x|y") }
    }
}
