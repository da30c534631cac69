import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
import MatcherService

/// Ingest's stream, a pickup validator's and the stores of matcher workers, with the events carried
/// by hand: each worker applies what the test hands it, when the test says, as its consumer would
/// (`MatcherEventHandlers` in one transaction per event). Used to test lots moving with the members.
final class LotStream {
    struct Worker {
        let store: TemporaryStore
        let book: ReservationBook
        let handlers: MatcherEventHandlers
    }

    let ingest: TemporaryStore
    let pickups: TemporaryStore
    let workers: [Worker]
    /// Per worker, the sequence applied of each producer.
    private var applied: [[String: Int64]]
    /// Workers lost for good: nothing more of theirs reaches the others, and they apply nothing.
    var lost: Set<Int> = []
    let now = Date()

    init(workers count: Int) throws {
        ingest = try TemporaryStore([], producer: "ingest")
        pickups = try TemporaryStore([], producer: "pickup-validator")
        workers = try (0..<count).map { index in
            let store = try TemporaryStore(MatcherService.migrations, producer: "matcher-\(index)")
            let book = ReservationBook(database: store.pool, outbox: store.outbox, worker: index, workers: count)
            let handlers = MatcherEventHandlers(book: book, missions: MissionBook(book: book), handover: LotHandover(book: book, logger: Logger(label: "test")))
            return Worker(store: store, book: book, handlers: handlers)
        }
        applied = Array(repeating: [:], count: count)
    }

    /// A lot of `baskets` open for pickup from ten minutes ago for two hours, published by ingest.
    @discardableResult
    func publish(_ id: String, baskets: Int = 5) throws -> Lot {
        let lot = Lot(id: id, merchantId: "merchant", draft: LotDraft(
            title: "Lot", category: .bakery, baskets: baskets, mealsPerBasket: 2, weightPerBasketKg: 1, originalValueCents: 1000,
            priceCents: 500, pickupStart: now.addingTimeInterval(-600), pickupEnd: now.addingTimeInterval(7200),
            location: Place(latitude: 43.3, longitude: 5.4, address: "Quai")), status: .published, version: 1, createdAt: now, updatedAt: now)
        try ingest.pool.write { db in _ = try ingest.outbox.append(LotChanged.publishedTopic, LotChanged(lot: lot), in: db) }
        return lot
    }

    /// Ingest's tick naming `members`.
    func tick(_ members: [Int]) throws {
        let tick = MatchingTick(at: now, matchers: workers.count, members: members, proposalTimeoutSeconds: 3600, shareAfterSeconds: 3600)
        try ingest.pool.write { db in _ = try ingest.outbox.append(MatchingTick.topic, tick, in: db) }
    }

    /// Ingest's `lot.worker-released` of `worker`, as `ecoresupply lots release` has ingest append it.
    func release(_ worker: Int, members: [Int]) throws {
        let release = LotWorkerReleased(worker: worker, members: members, releasedAt: now)
        try ingest.pool.write { db in _ = try ingest.outbox.append(LotWorkerReleased.topic, release, in: db) }
    }

    /// The pickup validator validated `reservation`'s pickup.
    func pickedUp(_ reservation: Reservation) throws {
        let pickup = PickupCompleted(
            reservationId: reservation.id, lotId: reservation.lotId, takerId: reservation.takerId, merchantId: reservation.merchantId,
            validatedBy: reservation.merchantId, baskets: reservation.baskets, meals: 2, weightKg: 1, valueSavedCents: 500, isFree: false,
            completedAt: now)
        try pickups.pool.write { db in _ = try pickups.outbox.append(PickupCompleted.topic, pickup, in: db) }
    }

    /// Worker `index` applies what `producer` has written that it has not applied yet, up to the
    /// sequence `last` if given; the count applied.
    @discardableResult
    func deliver(upTo last: Int64 = .max, _ producer: String, to index: Int) throws -> Int {
        let source: TemporaryStore = switch producer {
        case "ingest": ingest
        case "pickup-validator": pickups
        default: workers[Int(producer.dropFirst("matcher-".count))!].store
        }
        let from = applied[index][producer] ?? 0
        let events = try source.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, payload FROM bus_outbox WHERE sequence > ? AND sequence <= ? ORDER BY sequence", arguments: [from, last])
        }
        let worker = workers[index]
        for row in events {
            let payload: Data = row["payload"]
            let event = ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: payload), payload: payload)
            if worker.handlers.handles(event.type) { try worker.store.pool.write { db in try worker.handlers.apply(event, in: db) } }
            applied[index][producer] = row["sequence"]
        }
        return events.count
    }

    /// Worker `index` applies ingest's stream, then its peers' streams, until nothing is left.
    func catchUp(_ index: Int) throws {
        var moved = 1
        while moved > 0 {
            moved = try deliver("ingest", to: index) + deliver("pickup-validator", to: index)
            for peer in workers.indices where peer != index && !lost.contains(peer) { moved += try deliver("matcher-\(peer)", to: index) }
        }
    }

    /// Every worker in `indices` catches up, until none has anything left from the others.
    func settle(_ indices: [Int]) throws {
        for _ in 0..<4 { for index in indices where !lost.contains(index) { try catchUp(index) } }
    }

    /// Reserves `baskets` of `lotId` at worker `index`.
    func reserve(_ lotId: String, id: String, at index: Int, baskets: Int = 1) async throws -> Reservation {
        try await workers[index].book.reserve(
            id: id, ReservationRequests.Create(lotId: lotId, takerId: "taker-\(id)", takerIsBeneficiary: false, baskets: baskets), now: now)
    }

    /// Every worker's reservations but the lost ones': id → (worker, lot, status).
    func reservations() throws -> [String: [(worker: Int, lot: String, status: String)]] {
        var all: [String: [(worker: Int, lot: String, status: String)]] = [:]
        for (index, worker) in workers.enumerated() where !lost.contains(index) {
            for row in try worker.store.pool.read({ try Row.fetchAll($0, sql: "SELECT id, lot_id, status FROM reservations") }) {
                all[row["id"], default: []].append((index, row["lot_id"], row["status"]))
            }
        }
        return all
    }

    /// The workers, lost ones aside, whose row says they hold `lotId`.
    func holders(of lotId: String) throws -> [Int] {
        try workers.indices.filter { index in
            try !lost.contains(index) && workers[index].store.pool.read { db in
                try String.fetchOne(db, sql: "SELECT holding FROM lots WHERE id = ?", arguments: [lotId]) == "held"
            }
        }
    }
}
