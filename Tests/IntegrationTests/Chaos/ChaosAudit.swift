import EcoBus
import EcoConfig
import EcoModel
import Foundation
import GRDB

/// The checks at the end of a chaos run, over the stores themselves (read-only, after the load):
/// every 2xx has its effect exactly once, no consumer lacks an event, every projection equals a
/// recomputation from its producer's outbox, and the KPIs equal what was collected.
struct ChaosAudit {
    let deployment: TestDeployment
    var instances: [ServiceInstance] { BusTopology.instances(matchers: deployment.matchers) }

    /// Each producer's latest sequence: the events of the run.
    func latestSequences() throws -> [String: Int64] {
        try instances.reduce(into: [:]) { result, instance in
            result[instance.name] = try read(instance) { try Outbox.latestSequence($0) }
        }
    }

    /// Consumers behind a producer: "consumer ← producer: offset of latest". Empty once every service
    /// has applied every event every producer had when this began (sequences read first, offsets after).
    func lagging() throws -> [String] {
        let latest = try latestSequences()
        var behind: [String] = []
        for consumer in instances {
            let offsets = try read(consumer) { db in
                try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT producer, sequence FROM bus_offsets").map {
                    (($0["producer"] as String), ($0["sequence"] as Int64))
                })
            }
            for (producer, sequence) in latest where producer != consumer.name && sequence > 0 && (offsets[producer] ?? 0) < sequence {
                behind.append("\(consumer.name) ← \(producer): \(offsets[producer] ?? 0) of \(sequence)")
            }
        }
        return behind
    }

    /// Everything that went wrong, each as a sentence; empty when the run lost and duplicated nothing.
    func findings(_ ledger: ChaosLedger, kpis: [String: Any], logs: [String: String]) async throws -> [String] {
        var found: [String] = []
        found += try deadLetters()
        found += logs.flatMap { name, log in
            log.split(separator: "\n").filter { $0.contains("no longer has events this consumer never applied") }.map { "\(name) skipped events: \($0)" }
        }
        found += try await reservations(ledger)
        found += try reservationProjections()
        found += try await impact(ledger, kpis: kpis)
        found += try await reports(ledger)
        found += try await materials(ledger)
        return found
    }

    private func deadLetters() throws -> [String] {
        try instances.compactMap { instance in
            let count = try read(instance) { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bus_dead_letters") ?? 0 }
            return count == 0 ? nil : "\(instance.name) dead-lettered \(count) events"
        }
    }

    private var matchers: [ServiceInstance] { instances.filter { $0.kind == .matcher } }

    /// Each 2xx reservation is held once, by one worker; collected iff the counter said so; no lot
    /// oversold; and, since lost answers are retried with their key, no reservation is held that no
    /// client got (except on lots where a retry never got a definite answer).
    private func reservations(_ ledger: ChaosLedger) async throws -> [String] {
        var rows: [String: [(status: String, lot: String, baskets: Int)]] = [:]
        var lots: [String: Int] = [:]
        for matcher in matchers {
            let (held, offered) = try read(matcher) { db in
                (try Row.fetchAll(db, sql: "SELECT id, lot_id, status, baskets FROM reservations"), try Row.fetchAll(db, sql: "SELECT id, baskets FROM lots"))
            }
            for row in held { rows[row["id"], default: []].append((row["status"], row["lot_id"], row["baskets"])) }
            for row in offered { lots[row["id"]] = row["baskets"] }
        }
        let indexed = try read(ServiceInstance(.gateway)) { db in
            try Dictionary(grouping: String.fetchAll(db, sql: "SELECT id FROM reservation_index"), by: { $0 }).mapValues(\.count)
        }
        var found: [String] = []
        let collected = await ledger.collected
        for (id, reservation) in await ledger.reservations {
            guard let held = rows[id], held.count == 1 else {
                found.append("reservation \(id) (201) is held \(rows[id]?.count ?? 0) times across the workers")
                continue
            }
            let expected = collected.contains(id) ? ReservationStatus.collected : .active
            if held[0].status != expected.rawValue { found.append("reservation \(id) is \(held[0].status), the counter says \(expected.rawValue)") }
            if held[0].lot != reservation.lotId { found.append("reservation \(id) is on lot \(held[0].lot), not \(reservation.lotId)") }
            if indexed[id] != 1 { found.append("reservation \(id) is in the gateway's index \(indexed[id] ?? 0) times") }
        }
        let known = Set(await ledger.reservations.keys)
        let made = Set(await ledger.lots.keys).subtracting(await ledger.unsettledLots)
        for (id, held) in rows where !known.contains(id) && held.contains(where: { made.contains($0.lot) }) {
            found.append("reservation \(id) on lot \(held[0].lot) is held, but no client got it: a retry with its key did not find it")
        }
        let taken = rows.values.flatMap { $0 }.filter { $0.status != ReservationStatus.cancelled.rawValue }
        for (lot, baskets) in Dictionary(grouping: taken, by: \.lot).mapValues({ $0.map(\.baskets).reduce(0, +) }) where baskets > (lots[lot] ?? 0) {
            found.append("lot \(lot) has \(baskets) baskets reserved of \(lots[lot] ?? 0)")
        }
        return found
    }

    /// The readers of the workers' reservation events each hold what a recomputation from those
    /// outboxes (and the pickup validator's `pickup.completed`) gives: the gateway's index every
    /// reservation, ingest's baskets held every food reservation but the cancelled ones, and the
    /// pickup validator's desk each one's latest status.
    private func reservationProjections() throws -> [String] {
        var latest: [String: Reservation] = [:]
        for matcher in matchers {
            for topic in ReservationChanged.topics {
                // A lot handed over (docs/decisions/0017) has its reservation's events in two outboxes: the
                // end of a reservation (cancelled, no-show) is its latest state, wherever it was written.
                for change in try events(of: matcher, topic: topic, as: ReservationChanged.self)
                where latest[change.reservation.id].map({ $0.status == .active }) ?? true {
                    latest[change.reservation.id] = change.reservation
                }
            }
        }
        for pickup in try events(of: ServiceInstance(.pickupValidator), topic: PickupCompleted.topic, as: PickupCompleted.self) {
            latest[pickup.reservationId]?.status = .collected
        }
        let indexed = Set(try read(ServiceInstance(.gateway)) { try String.fetchAll($0, sql: "SELECT id FROM reservation_index") })
        let held = try read(ServiceInstance(.ingest)) { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT reservation_id, holds FROM lot_reservations").map {
                (($0["reservation_id"] as String), ($0["holds"] as Bool))
            })
        }
        let desk = try read(ServiceInstance(.pickupValidator)) { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, status FROM pickup_reservations").map {
                (($0["id"] as String), ($0["status"] as String))
            })
        }
        var found: [String] = []
        if indexed != Set(latest.keys) { found.append("the gateway indexes \(indexed.count) reservations, the workers' outboxes have \(latest.count)") }
        for (id, reservation) in latest {
            if reservation.listingId == nil, held[id] != (reservation.status != .cancelled) {
                found.append("ingest holds reservation \(id) as \(held[id].map(String.init) ?? "absent"); it is \(reservation.status.rawValue)")
            }
            if desk[id] != reservation.status.rawValue {
                found.append("the pickup desk has reservation \(id) \(desk[id] ?? "absent"); it is \(reservation.status.rawValue)")
            }
        }
        return found
    }

    /// Reporting's ledger equals a recomputation from the pickup validator's outbox, and both equal
    /// what the counter collected; the public KPIs say the same.
    private func impact(_ ledger: ChaosLedger, kpis: [String: Any]) async throws -> [String] {
        let completions = try events(of: ServiceInstance(.pickupValidator), topic: PickupCompleted.topic, as: PickupCompleted.self)
        let perReservation = Dictionary(grouping: completions, by: \.reservationId)
        let entries = try read(ServiceInstance(.reporting)) { db in
            try Row.fetchAll(db, sql: "SELECT reservation_id, meals FROM impact_entries").map { (($0["reservation_id"] as String), ($0["meals"] as Double)) }
        }
        var found: [String] = []
        let collected = await ledger.collected
        for (id, events) in perReservation where events.count != 1 { found.append("pickup of \(id) is in the outbox \(events.count) times") }
        if Set(perReservation.keys) != collected {
            found.append("the outbox has \(perReservation.count) pickups, the counter collected \(collected.count)")
        }
        if Set(entries.map(\.0)) != Set(perReservation.keys) || entries.count != perReservation.count {
            found.append("reporting counts \(entries.count) pickups, the outbox has \(perReservation.count)")
        }
        let meals = await ledger.collectedMeals
        let recomputed = completions.map(\.meals).reduce(0, +)
        if entries.map(\.1).reduce(0, +) != recomputed { found.append("reporting counts \(entries.map(\.1).reduce(0, +)) meals, the outbox \(recomputed)") }
        if kpis["pickups"] as? Int != collected.count || kpis["mealsSaved"] as? Double != meals {
            found.append("the KPIs say \(kpis["pickups"] ?? "?") pickups and \(kpis["mealsSaved"] ?? "?") meals; \(collected.count) and \(meals) were collected")
        }
        return found
    }

    /// Each 2xx report is stored once and filed once on the bus.
    private func reports(_ ledger: ChaosLedger) async throws -> [String] {
        let filed = Dictionary(grouping: try events(of: ServiceInstance(.ingest), topic: ReportChanged.filedTopic, as: ReportChanged.self), by: \.report.id)
        let stored = try read(ServiceInstance(.ingest)) { Set(try String.fetchAll($0, sql: "SELECT id FROM reports")) }
        var found: [String] = []
        for id in await ledger.reports {
            if filed[id]?.count != 1 { found.append("report \(id) (201) was filed \(filed[id]?.count ?? 0) times on the bus") }
            if !stored.contains(id) { found.append("report \(id) (201) is not in ingest's store") }
        }
        return found
    }

    /// Each 2xx listing and demand is published once, and the workers' materials ledgers together hold
    /// exactly what ingest published, each offer in one worker: the holder of its part (decision 0016).
    private func materials(_ ledger: ChaosLedger) async throws -> [String] {
        let listings = Dictionary(grouping: try events(of: ServiceInstance(.ingest), topic: ListingPublished.topic, as: ListingPublished.self), by: \.listing.id)
        let demands = Dictionary(grouping: try events(of: ServiceInstance(.ingest), topic: DemandPublished.topic, as: DemandPublished.self), by: \.demand.id)
        var found: [String] = []
        for id in await ledger.listings where listings[id]?.count != 1 { found.append("listing \(id) (201) was published \(listings[id]?.count ?? 0) times") }
        for id in await ledger.demands where demands[id]?.count != 1 { found.append("demand \(id) (201) was published \(demands[id]?.count ?? 0) times") }
        var heldListings: [String] = [], heldDemands: [String] = []
        for matcher in matchers {
            let (held, wanted) = try read(matcher) { db in
                (try String.fetchAll(db, sql: "SELECT id FROM material_listings"), try String.fetchAll(db, sql: "SELECT id FROM material_demands"))
            }
            heldListings += held
            heldDemands += wanted
        }
        if heldListings.sorted() != listings.keys.sorted() {
            found.append("the workers hold \(heldListings.count) listings (\(Set(heldListings).count) distinct), ingest published \(listings.count)")
        }
        if heldDemands.sorted() != demands.keys.sorted() {
            found.append("the workers hold \(heldDemands.count) demands (\(Set(heldDemands).count) distinct), ingest published \(demands.count)")
        }
        return found
    }

    /// Reads `instance`'s store (synchronously: the audit runs once the load is over).
    private func read<T>(_ instance: ServiceInstance, _ block: (Database) throws -> T) throws -> T {
        try deployment.database(of: instance).read(block)
    }

    /// The data of every event of `topic` in `instance`'s outbox.
    private func events<T: Codable & Sendable>(of instance: ServiceInstance, topic: String, as type: T.Type) throws -> [T] {
        try read(instance) { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox WHERE topic = ?", arguments: [topic]).map {
                try EventCodec.decoder.decode(CloudEvent<T>.self, from: $0).data
            }
        }
    }
}
