import EcoBus
import EcoModel
import GRDB

/// Keeps the worker's owned lots in step with ingest, and its reservations with pickups.
public struct MatcherEventHandlers: EventHandler {
    let book: ReservationBook
    let missions: MissionBook

    public init(book: ReservationBook, missions: MissionBook) {
        self.book = book
        self.missions = missions
    }

    public var topicPrefixes: [String] { ["lot.", PickupCompleted.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        switch event.type {
        case LotChanged.publishedTopic, LotChanged.updatedTopic:
            try book.apply(try event.decodeData(LotChanged.self).lot, in: db)
        case LotWithdrawn.topic:
            try book.withdraw(try event.decodeData(LotWithdrawn.self).lotId, in: db)
        case PickupCompleted.topic:
            let pickup = try event.decodeData(PickupCompleted.self)
            try book.collected(pickup.reservationId, in: db)
            try missions.collected(reservationId: pickup.reservationId, in: db)
        default:
            break
        }
    }
}
