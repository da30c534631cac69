import EcoBus
import EcoConfig
import EcoModel
import GRDB

/// Keeps the worker's lots in step with ingest, its reservations with pickups, and its lots with
/// the members: ingest's ticks move lots (`LotHandover`), peers' handovers bring them here, and an
/// operator's release rebuilds a lost worker's lots from the reservations and missions it relayed
/// (`LotRelease`).
public struct MatcherEventHandlers: EventHandler {
    let book: ReservationBook
    let missions: MissionBook
    let handover: LotHandover
    static let ingest = ServiceInstance(.ingest).name

    public init(book: ReservationBook, missions: MissionBook, handover: LotHandover) {
        self.book = book
        self.missions = missions
        self.handover = handover
    }

    public var topicPrefixes: [String] { ["lot.", PickupCompleted.topic, MatchingTick.topic] + ReservationChanged.topics + MissionChanged.topics }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        switch event.type {
        case LotChanged.publishedTopic, LotChanged.updatedTopic:
            try book.apply(try event.decodeData(LotChanged.self).lot, in: db)
        case LotWithdrawn.topic:
            try book.withdraw(try event.decodeData(LotWithdrawn.self).lotId, in: db)
        case PickupCompleted.topic:
            let pickup = try event.decodeData(PickupCompleted.self)
            // A materials handover's pickup names a listing, not a lot: it never moves with one.
            try book.collected(pickup.reservationId, lotId: pickup.listingId == nil ? pickup.lotId : nil, in: db)
            try missions.collected(reservationId: pickup.reservationId, in: db)
        case MatchingTick.topic:
            // Ticks are ingest's alone; each worker applies them in the same order.
            guard event.source == Self.ingest, let sequence = event.sequence else { return }
            try handover.apply(try event.decodeData(MatchingTick.self), sequence: sequence, in: db)
        case LotHandedOver.topic:
            guard ServiceInstance(name: event.source)?.kind == .matcher else { return }
            try handover.receive(try event.decodeData(LotHandedOver.self), in: db)
        case LotWorkerReleased.topic:
            guard event.source == Self.ingest, let sequence = event.sequence else { return }
            try LotRelease(handover: handover).apply(try event.decodeData(LotWorkerReleased.self), sequence: sequence, in: db)
        case let topic where ReservationChanged.topics.contains(topic):
            try keepRelayed(event, in: db)
        case let topic where MissionChanged.topics.contains(topic):
            try keepRelayedMission(event, in: db)
        default:
            break
        }
    }

    /// A peer's reservation of a food lot this worker does not hold: kept, in case an operator
    /// releases that peer (a materials handover names a listing and never moves with a lot).
    private func keepRelayed(_ event: ReceivedEvent, in db: Database) throws {
        guard let peer = ServiceInstance(name: event.source), peer.kind == .matcher, let worker = peer.index else { return }
        let reservation = try event.decodeData(ReservationChanged.self).reservation
        guard reservation.listingId == nil, try book.holding(db).state(of: reservation.lotId) != .held else { return }
        try RelayedReservations(db: db).keep(reservation, from: worker)
    }

    /// A peer's collector mission on a food lot this worker does not hold: kept for the same reason.
    private func keepRelayedMission(_ event: ReceivedEvent, in db: Database) throws {
        guard let peer = ServiceInstance(name: event.source), peer.kind == .matcher, let worker = peer.index else { return }
        let mission = try event.decodeData(MissionChanged.self).mission
        guard try book.holding(db).state(of: mission.lotId) != .held else { return }
        try RelayedMissions(db: db).keep(mission, from: worker)
    }
}
