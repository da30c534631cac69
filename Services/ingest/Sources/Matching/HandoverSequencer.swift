import EcoBus
import EcoModel
import Foundation
import GRDB

/// Puts each validated materials handover (`pickup.completed` with a listing, from the pickup
/// validator) into ingest's stream as `handover.validated`, so that every matcher worker completes
/// the operation at the same point of the same stream, after the answers that confirmed it.
public struct HandoverSequencer: EventHandler {
    let outbox: Outbox
    /// The grid that gives each handover its listing's market part.
    let grid: MarketGrid

    public init(outbox: Outbox, grid: MarketGrid = .standard) {
        self.outbox = outbox
        self.grid = grid
    }

    public var topicPrefixes: [String] { [PickupCompleted.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let pickup = try event.decodeData(PickupCompleted.self)
        guard let listingId = pickup.listingId else { return }
        // The handover belongs to its listing's market part (docs/decisions/0016).
        let part = try Data.fetchOne(db, sql: "SELECT body FROM listings WHERE id = ?", arguments: [listingId])
            .map { grid.part(of: try EventCodec.decoder.decode(Listing.self, from: $0)) }
        try outbox.append(HandoverValidated.topic, HandoverValidated(pickup: pickup), causationID: event.envelope.id, partitionKey: part, in: db)
    }
}
