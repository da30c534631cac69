/// Ingest's materials stream: every input of the materials ledger, in the one order every matcher
/// worker applies (docs/decisions/0008). Ingest compacts it after a while; a worker that needs what
/// is gone copies a peer's ledger (docs/decisions/0014).
public enum MaterialsStream {
    public static let topics = [
        ListingPublished.topic, ListingPublished.updatedTopic, ListingPublished.redactedTopic, DemandPublished.topic, DemandPublished.redactedTopic,
        LicenceRecorded.topic, ProposalResponded.topic, MatchingTick.topic, HandoverValidated.topic,
    ]
}
