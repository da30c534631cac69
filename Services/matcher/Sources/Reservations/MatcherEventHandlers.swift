import EcoBus
import EcoConfig
import EcoModel
import GRDB

/// Keeps the worker's lots in step with ingest, its reservations with pickups, and its lots with
/// the members: ingest's ticks move lots (`LotHandover`), and peers' handovers bring them here.
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

    public var topicPrefixes: [String] { ["lot.", PickupCompleted.topic, MatchingTick.topic] }

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
        default:
            break
        }
    }
}
