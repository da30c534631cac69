import EcoBus
import EcoConfig
import EcoModel
import Foundation
import GRDB
import Logging
import Metrics

/// Moves food lots with the members (docs/decisions/0017). At a tick whose members differ from the
/// last, in the consumer's transaction, the worker gives each lot it holds whose holder changed: it
/// appends `lot.handed-over` with the lot's reservations and missions, forgets them, and refuses the
/// lot's commands from then on, naming the holder. A lot it is now the holder of waits (`awaiting`)
/// until the giver's handover arrives, which it then applies and holds. A dead giver's lots wait for
/// it to come back: only it has the reservations it made and had not yet relayed.
public struct LotHandover: Sendable {
    /// How long after its pickup window a lot still moves: its no-shows are swept by its holder.
    static let grace: TimeInterval = 3600

    let book: ReservationBook
    let logger: Logger
    private let given = Counter(label: "ecoresupply_lots_handed_over_total")
    private let taken = Counter(label: "ecoresupply_lots_taken_over_total")
    private let conflicts = Counter(label: "ecoresupply_lots_handover_conflicts_total")
    /// Room left under the bus's event limit for the envelope.
    static let maximumPayload = InboundMessage.maximumEventSize - 16 * 1024

    public init(book: ReservationBook, logger: Logger) {
        self.book = book
        self.logger = logger
    }

    /// Applies `tick`, ingest's event `sequence`, to the worker's lots.
    func apply(_ tick: MatchingTick, sequence: Int64, in db: Database) throws {
        let holding = book.holding(db)
        let members = tick.holders
        guard try holding.members() != members || holding.recorded() == nil else { return }
        try holding.record(members: members, tick: sequence)
        var moved = (given: 0, awaited: 0)
        for (lotId, state) in try holding.movable(at: tick.at, tick: sequence) {
            let holder = LotHolders.holder(of: lotId, members: members) ?? book.worker
            switch state {
            case .held where holder != book.worker:
                try give(lotId, to: holder, tick: sequence, in: db)
                moved.given += 1
            case .elsewhere(let known) where holder == book.worker:
                try holding.awaitHandover(of: lotId, from: known, since: sequence)
                moved.awaited += 1
            case .elsewhere(let known) where known != holder:
                try holding.set(lotId, .elsewhere(holder), since: sequence)
            case .awaiting where holder != book.worker:
                // The handover on its way here is passed on to `holder` when it arrives (`receive`),
                // unless `holder` is the worker it was awaited from: that one still has it.
                try holding.set(lotId, .elsewhere(holder), since: sequence)
                if try holding.awaited(lotId)?.from == holder { try holding.setAwaited(lotId, from: nil) }
            default:
                break
            }
        }
        if moved.given + moved.awaited > 0 {
            logger.notice("food lots moved at a tick", metadata: [
                "lots.members": "\(members.map(String.init).joined(separator: ","))", "lots.given": "\(moved.given)",
                "lots.awaited": "\(moved.awaited)", "bus.sequence": "\(sequence)",
            ])
        }
    }

    /// Applies a peer's handover addressed to this worker: the lot, its reservations and missions
    /// are this worker's from now on, unless this worker has since applied a tick that gives the
    /// lot to another, in which case it passes the lot on.
    func receive(_ handover: LotHandedOver, in db: Database) throws {
        guard handover.to == book.worker else { return try observe(handover, in: db) }
        try take(handover, in: db)
    }

    /// A peer's handover to another worker, made since this worker began to await the lot: the
    /// lot's data is there now. The holder awaits it from that worker; a worker that only owed the
    /// lot on owes nothing any more (the data will not come through it).
    private func observe(_ handover: LotHandedOver, in db: Database) throws {
        let holding = book.holding(db)
        guard let awaited = try holding.awaited(handover.lot.id), handover.tick >= awaited.since else { return }
        try holding.setAwaited(handover.lot.id, from: try holding.state(of: handover.lot.id) == .awaiting ? handover.to : nil)
    }

    /// Takes `handover`'s lot, reservations and missions as this worker's, then holds the lot or
    /// passes it on to the holder of the latest tick this worker applied (`LotRelease` takes a lost
    /// worker's lots this way too).
    func take(_ handover: LotHandedOver, in db: Database) throws {
        let holding = book.holding(db)
        if try holding.state(of: handover.lot.id) == .held {
            // Two workers held the lot at once (see decision 0017's known gaps): its baskets may be oversold.
            conflicts.increment()
            logger.error("a lot handed over to this worker was already held here", metadata: [
                "lot.id": "\(handover.lot.id)", "lots.from": "\(handover.from)", "bus.sequence": "\(handover.tick)",
            ])
        }
        try book.apply(handover.lot, in: db)
        if handover.lot.status == .withdrawn {
            try db.execute(sql: "UPDATE lots SET status = ? WHERE id = ?", arguments: [LotStatus.withdrawn.rawValue, handover.lot.id])
        }
        for reservation in handover.reservations {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO reservations (id, lot_id, taker_id, baskets, status, body, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [reservation.id, reservation.lotId, reservation.takerId, reservation.baskets, reservation.status.rawValue,
                            try EventCodec.encoder.encode(reservation), EventTime.format(reservation.createdAt), EventTime.format(Date())])
        }
        for handed in handover.missions {
            let mission = handed.mission
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO missions (id, lot_id, association_id, collector_id, reservation_id, status, delivery_code_hash, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [mission.id, mission.lotId, mission.associationId, mission.collectorId, mission.reservationId,
                            mission.status.rawValue, handed.deliveryCodeHash, try EventCodec.encoder.encode(mission)])
        }
        // Pickups validated while the lot was on its way here.
        for reservationId in try holding.takePendingPickups(of: handover.lot.id) {
            try book.collected(reservationId, in: db)
            try MissionBook(book: book).collected(reservationId: reservationId, in: db)
        }
        taken.increment()
        try holding.setAwaited(handover.lot.id, from: nil)
        try RelayedReservations(db: db).forget(handover.lot.id)
        try RelayedMissions(db: db).forget(handover.lot.id)
        if let recorded = try holding.recorded(), recorded.tick >= handover.tick,
           let holder = LotHolders.holder(of: handover.lot.id, members: recorded.members), holder != book.worker {
            try give(handover.lot.id, to: holder, tick: recorded.tick, in: db)
            return
        }
        try holding.set(handover.lot.id, .held, since: handover.tick)
        // Withdrawn while it was on its way: its reservations are cancelled here, as the giver would have.
        if try String.fetchOne(db, sql: "SELECT status FROM lots WHERE id = ?", arguments: [handover.lot.id]) == LotStatus.withdrawn.rawValue {
            try book.withdraw(handover.lot.id, in: db)
        }
    }

    /// Gives `lotId` to `holder`: the handover event with everything this worker has on the lot,
    /// which it then forgets.
    private func give(_ lotId: String, to holder: Int, tick: Int64, in db: Database) throws {
        guard let lot = try Self.heldLot(lotId, in: db) else { return }
        let missions = try Row.fetchAll(db, sql: "SELECT body, delivery_code_hash FROM missions WHERE lot_id = ? ORDER BY id", arguments: [lotId]).map {
            HandedMission(mission: try EventCodec.decoder.decode(Mission.self, from: $0["body"] as Data), deliveryCodeHash: $0["delivery_code_hash"])
        }
        var handover = LotHandedOver(
            lot: lot, from: book.worker, to: holder, tick: tick,
            reservations: try ReservationBook.reservations(db, "lot_id = ? ORDER BY created_at, id", [lotId]), missions: missions)
        try fit(&handover)
        try db.execute(sql: "DELETE FROM missions WHERE lot_id = ?", arguments: [lotId])
        try db.execute(sql: "DELETE FROM reservations WHERE lot_id = ?", arguments: [lotId])
        try book.holding(db).set(lotId, .elsewhere(holder), since: tick)
        try book.holding(db).setAwaited(lotId, from: nil)
        try book.outbox.append(LotHandedOver.topic, handover, in: db)
        given.increment()
    }

    /// Keeps the handover under the bus's event limit: a lot reserved and cancelled thousands of times
    /// leaves its oldest cancelled reservations behind (they hold no basket; a retry of one of them
    /// is then answered as a new command). Everything that holds a basket always moves.
    private func fit(_ handover: inout LotHandedOver) throws {
        var size = try EventCodec.encoder.encode(handover).count
        guard size > Self.maximumPayload else { return }
        let before = handover.reservations.count
        while size > Self.maximumPayload, let oldest = handover.reservations.firstIndex(where: { $0.status == .cancelled }) {
            let dropped = handover.reservations.remove(at: oldest)
            size -= try EventCodec.encoder.encode(dropped).count + 1
        }
        logger.warning("a lot's oldest cancelled reservations stay behind at its handover", metadata: [
            "lot.id": "\(handover.lot.id)", "reservations.left_behind": "\(before - handover.reservations.count)",
        ])
    }

    static func heldLot(_ lotId: String, in db: Database) throws -> HeldLot? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM lots WHERE id = ?", arguments: [lotId]) else { return nil }
        return HeldLot(
            id: row["id"], merchantId: row["merchant_id"], organisationId: row["organisation_id"], baskets: row["baskets"],
            isFree: row["is_free"], mealsPerBasket: row["meals_per_basket"], weightPerBasketKg: row["weight_per_basket_kg"],
            originalValueCents: row["original_value_cents"], priceCents: row["price_cents"],
            pickupStart: EventTime.parse(row["pickup_start"]) ?? .distantPast, pickupEnd: EventTime.parse(row["pickup_end"]) ?? .distantPast,
            status: LotStatus(rawValue: row["status"]) ?? .withdrawn, version: row["version"])
    }
}
