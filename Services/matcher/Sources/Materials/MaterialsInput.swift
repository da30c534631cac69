import EcoBus
import EcoModel
import Foundation

/// Ingest's materials events as the ledger's inputs: the one decoding that a worker's consumer and a
/// part's rebuild share.
enum MaterialsInput {
    /// The ledger input an event carries; nil for a topic the ledger does not apply.
    static func decode(_ event: ReceivedEvent) throws -> MaterialLedger.Input? {
        switch event.type {
        case ListingPublished.topic: .listing(try event.decodeData(ListingPublished.self).listing, published: offer("listing", of: event), part: event.partitionKey)
        case ListingPublished.updatedTopic: .listingUpdated(try event.decodeData(ListingPublished.self).listing)
        case ListingPublished.redactedTopic: .listingRedacted(try event.decodeData(ListingPublished.self).listing)
        case DemandPublished.topic: .demand(try event.decodeData(DemandPublished.self).demand, published: offer("demand", of: event), part: event.partitionKey)
        case DemandPublished.redactedTopic: .demandRedacted(try event.decodeData(DemandPublished.self).demand)
        case LicenceRecorded.topic: .licence(try event.decodeData(LicenceRecorded.self))
        case ProposalResponded.topic: .response(try event.decodeData(ProposalResponded.self))
        case MatchingTick.topic: .tick(try event.decodeData(MatchingTick.self))
        case HandoverValidated.topic: .handover(try event.decodeData(HandoverValidated.self).pickup)
        default: nil
        }
    }

    /// The offer's JSON inside the event's data, as ingest wrote it (nil if it cannot be told apart).
    private static func offer(_ member: String, of event: ReceivedEvent) -> Data? {
        event.dataBytes.flatMap { JSONMemberSpan.bytes(of: member, in: $0) }
    }
}
