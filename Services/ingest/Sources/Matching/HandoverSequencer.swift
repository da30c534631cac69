import EcoBus
import EcoModel
import GRDB

/// Puts each validated materials handover (`pickup.completed` with a listing, from the pickup
/// validator) into ingest's stream as `handover.validated`, so that every matcher worker completes
/// the operation at the same point of the same stream, after the answers that confirmed it.
public struct HandoverSequencer: EventHandler {
    let outbox: Outbox

    public init(outbox: Outbox) { self.outbox = outbox }

    public var topicPrefixes: [String] { [PickupCompleted.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let pickup = try event.decodeData(PickupCompleted.self)
        guard pickup.listingId != nil else { return }
        try outbox.append(HandoverValidated.topic, HandoverValidated(pickup: pickup), causationID: event.envelope.id, in: db)
    }
}
