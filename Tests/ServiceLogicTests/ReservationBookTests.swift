import EcoBus
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

@Suite("ReservationBook: allocation, cancellation and no-shows on one worker")
struct ReservationBookTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func lot(free: Bool = false, baskets: Int = 3, start: TimeInterval = 3600, end: TimeInterval = 7200) -> Lot {
        Lot(id: "lot-1", merchantId: "merchant", draft: LotDraft(
            title: "Lot", category: .bakery, baskets: baskets, mealsPerBasket: 2, weightPerBasketKg: 1, originalValueCents: 1000,
            priceCents: free ? 0 : 500, pickupStart: now.addingTimeInterval(start), pickupEnd: now.addingTimeInterval(end),
            location: Place(latitude: 43.3, longitude: 5.4, address: "Quai")), status: .published, version: 1, createdAt: now, updatedAt: now)
    }

    func book(_ lot: Lot) throws -> (ReservationBook, TemporaryStore) {
        let store = try TemporaryStore(ReservationBook.migrations + MissionBook.migrations + LotHolding.migrations, producer: "matcher-0")
        let book = ReservationBook(database: store.pool, outbox: store.outbox, worker: 0, workers: 1)
        try store.pool.write { db in try book.apply(lot, in: db) }
        return (book, store)
    }

    func request(_ taker: String = "taker", baskets: Int = 1, beneficiary: Bool = false) -> ReservationRequests.Create {
        ReservationRequests.Create(lotId: "lot-1", takerId: taker, takerIsBeneficiary: beneficiary, baskets: baskets)
    }

    @Test("never more than the lot has; each refusal says why")
    func allocation() async throws {
        let (book, _) = try book(lot(baskets: 3))
        _ = try await book.reserve(id: "r1", request(baskets: 2), now: now)
        await #expect(throws: RemoteError.self) { try await book.reserve(id: "r2", request(baskets: 2), now: now) }
        _ = try await book.reserve(id: "r3", request(baskets: 1), now: now)
        do {
            _ = try await book.reserve(id: "r4", request(), now: now)
            Issue.record("a sold-out lot took a reservation")
        } catch let error as RemoteError {
            #expect(error.code == "conflict" && error.message.contains("sold out"))
        }
        let (late, _) = try self.book(lot(start: -7200, end: -60))
        await #expect(throws: RemoteError.conflict("the lot's pickup window has ended")) { try await late.reserve(id: "x", request(), now: now) }
        let (free, _) = try self.book(lot(free: true))
        await #expect(throws: RemoteError.notFound("no lot lot-1")) { try await free.reserve(id: "x", request(beneficiary: false), now: now) }
        await #expect(throws: RemoteError.forbidden("a merchant does not reserve their own lot")) {
            try await book.reserve(id: "x", request("merchant"), now: now)
        }
    }

    @Test("the taker cancels until the window starts, which returns the baskets; after that, no")
    func cancellation() async throws {
        let (book, store) = try book(lot(baskets: 1))
        _ = try await book.reserve(id: "r1", request(), now: now)
        let cancel = ReservationRequests.Cancel(reservationId: "r1", lotId: "lot-1", actorId: "taker")
        await #expect(throws: RemoteError.notFound("no reservation r1")) {
            try await book.cancel(ReservationRequests.Cancel(reservationId: "r1", lotId: "lot-1", actorId: "someone else"), now: now)
        }
        let cancelled = try await book.cancel(cancel, now: now)
        #expect(cancelled.status == .cancelled)
        #expect(try await book.availability(of: "lot-1")?.remaining == 1)
        _ = try await book.reserve(id: "r2", request(), now: now)
        await #expect(throws: RemoteError.self) {
            try await book.cancel(ReservationRequests.Cancel(reservationId: "r2", lotId: "lot-1", actorId: "taker"), now: now.addingTimeInterval(3601))
        }
        #expect(try store.topics() == ["reservation.created", "reservation.cancelled", "reservation.created"])
        let changes = try store.payloads(ReservationChanged.self)
        #expect(changes.map(\.reason) == [.reserved, .takerCancelled, .reserved])
        #expect(changes[1].reservation == cancelled, "the event carries the state the row holds")
        #expect(try await book.reservation(id: "r2").map { changes[2].reservation == $0 } == true)
    }

    @Test("a reservation not collected by the end of its window becomes a no-show, once")
    func noShows() async throws {
        let (book, store) = try book(lot())
        _ = try await book.reserve(id: "r1", request(), now: now)
        _ = try await book.reserve(id: "r2", request("other"), now: now)
        try await book.database.write { db in try book.collected("r2", in: db) }
        #expect(try await book.markNoShows(now: now.addingTimeInterval(7199)) == 0, "not before the window ends")
        #expect(try await book.markNoShows(now: now.addingTimeInterval(7200)) == 1)
        #expect(try await book.markNoShows(now: now.addingTimeInterval(9000)) == 0)
        #expect(try await book.reservation(id: "r1")?.status == .noShow)
        #expect(try await book.reservation(id: "r2")?.status == .collected)
        #expect(try store.topics().filter { $0 == "reservation.no_show" }.count == 1)
    }

    @Test("ownership splits lots over the workers and every process computes the same owner")
    func ownership() {
        let ids = (0..<3000).map { "lot-\($0)" }
        let counts = Dictionary(grouping: ids, by: { LotOwnership.worker(for: $0, workers: 3) }).mapValues(\.count)
        #expect(counts.keys.sorted() == [0, 1, 2])
        #expect(counts.values.allSatisfy { $0 > 800 }, "\(counts)")
        #expect(LotOwnership.worker(for: "lot-42", workers: 3) == LotOwnership.worker(for: "lot-42", workers: 3))
        #expect(ids.allSatisfy { LotOwnership.worker(for: $0, workers: 1) == 0 })
    }
}

@Suite("ReservationBook: a reservation id sent again")
struct ReservationReplayTests {
    let base = ReservationBookTests()

    @Test("the same id and command answer the first reservation, and take the baskets once")
    func sameCommand() async throws {
        let (book, store) = try base.book(base.lot(baskets: 3))
        let first = try await book.reserve(id: "r1", base.request(baskets: 2), now: base.now)
        let again = try await book.reserve(id: "r1", base.request(baskets: 2), now: base.now.addingTimeInterval(5))
        #expect(again == first)
        #expect(try await book.availability(of: "lot-1")?.remaining == 1)
        #expect(try store.topics() == ["reservation.created"], "one event for one reservation")
        // Even once the lot is sold out, the command is answered with what it made.
        _ = try await book.reserve(id: "r2", base.request("other"), now: base.now)
        #expect(try await book.reserve(id: "r1", base.request(baskets: 2), now: base.now) == first)
    }

    @Test("the same id with another lot, taker or baskets is refused as a mismatch, and changes nothing")
    func otherCommand() async throws {
        let (book, store) = try base.book(base.lot(baskets: 3))
        _ = try await book.reserve(id: "r1", base.request(baskets: 1), now: base.now)
        for request in [base.request(baskets: 2), base.request("someone else")] {
            await #expect(throws: RemoteError.idempotencyMismatch("reservation r1 was made by another request (lot, taker or baskets differ)")) {
                try await book.reserve(id: "r1", request, now: base.now)
            }
        }
        #expect(try await book.availability(of: "lot-1")?.remaining == 2)
        #expect(try store.topics() == ["reservation.created"])
    }
}
