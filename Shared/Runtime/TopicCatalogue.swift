import EcoBus
import EcoConfig
import EcoModel

/// Which producer publishes which topics: the table of docs/events.md, as data the forwarder
/// enforces on a bus with keys (docs/decisions/0012). An event passes only when its `source` is the
/// sending process's own name and its topic is one that kind of producer publishes.
public enum TopicCatalogue {
    /// What every producer publishes: its heartbeats, erasure progress and diagnostic pings.
    public static let everyProducer: Set<String> = [Topic.heartbeat, Topic.diagnosticPing, PersonalDataErased.topic]

    /// The topics of each kind of producer, beyond `everyProducer`.
    public static let byKind: [ServiceKind: Set<String>] = [
        .gateway: [
            AccountCreated.topic, AccountRolesChanged.topic, AccountConsentChanged.topic, AccountErased.topic, AccountEmailChanged.topic, AccountSnapshot.topic,
        ],
        .ingest: Set([
            LotChanged.publishedTopic, LotChanged.updatedTopic, LotWithdrawn.topic, ListingPublished.topic, ListingPublished.updatedTopic,
            ListingPublished.redactedTopic, DemandPublished.topic, DemandPublished.redactedTopic, LicenceRecorded.topic, ProposalResponded.topic, HandoverValidated.topic, MatchingTick.topic,
            LotWorkerReleased.topic,
        ]).union(ReportChanged.topics),
        .matcher: [
            ProposalChanged.createdTopic, ProposalChanged.acceptedTopic, ProposalChanged.confirmedTopic, ProposalChanged.declinedTopic,
            ProposalChanged.expiredTopic, ListingShared.topic, OperationCompleted.topic, ReservationChanged.createdTopic,
            ReservationChanged.cancelledTopic, ReservationChanged.noShowTopic, MissionChanged.requestedTopic, MissionChanged.acceptedTopic,
            MissionChanged.collectedTopic, MissionChanged.deliveredTopic, LotHandedOver.topic,
        ],
        .pickupValidator: [BeneficiaryVerified.topic, PickupCompleted.topic],
        .reporting: [],
        .notifications: [],
    ]

    /// The kind of a producer name: `matcher-3` is a matcher; nil for a name no service has.
    public static func kind(of producer: String) -> ServiceKind? {
        BusTopology.instances(matchers: 64).first { $0.name == producer }?.kind
    }

    /// Whether the process named `identity` may publish `topic` under `source`.
    public static func permits(identity: String, topic: String, source: String) -> Bool {
        guard source == identity, let kind = kind(of: identity) else { return false }
        return everyProducer.contains(topic) || (byKind[kind]?.contains(topic) ?? false)
    }
}
