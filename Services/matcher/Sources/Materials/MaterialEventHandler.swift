import EcoBus
import EcoConfig
import EcoModel
import GRDB
import Logging
import Metrics

/// Feeds ingest's materials stream into this worker's ledger, and announces the changes this
/// worker owns (by listing hash over the latest tick's worker count). A worker whose number is not
/// below that count keeps the ledger but announces nothing: it can take over when the count grows.
public struct MaterialEventHandler: EventHandler {
    let worker: Int
    let outbox: Outbox
    let logger: Logger
    private let announced = Counter(label: "ecoresupply_materials_announced_total")
    private let ticks = Counter(label: "ecoresupply_materials_ticks_applied_total")
    private let proposed = Counter(label: "ecoresupply_materials_proposals_total")

    static let ingest = ServiceInstance(.ingest).name

    public init(worker: Int, outbox: Outbox, logger: Logger) {
        self.worker = worker
        self.outbox = outbox
        self.logger = logger
    }

    public var topicPrefixes: [String] { MaterialsStream.topics }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        // The materials stream is ingest's alone (docs/decisions/0008).
        guard event.source == Self.ingest else { return }
        // A ledger handed over by a peer already holds ingest's events up to its position.
        if let sequence = event.sequence {
            guard sequence > (try LedgerPosition.read(db)) else { return }
            try LedgerPosition.record(sequence, in: db)
        }
        let store = SQLiteLedgerStore(db)
        let outputs: [MaterialLedger.Output]
        switch event.type {
        case ListingPublished.topic: outputs = try MaterialLedger.apply(.listing(try event.decodeData(ListingPublished.self).listing), to: store)
        case ListingPublished.updatedTopic:
            outputs = try MaterialLedger.apply(.listingUpdated(try event.decodeData(ListingPublished.self).listing), to: store)
        case DemandPublished.topic: outputs = try MaterialLedger.apply(.demand(try event.decodeData(DemandPublished.self).demand), to: store)
        case ListingPublished.redactedTopic:
            let listing = try event.decodeData(ListingPublished.self).listing
            outputs = try MaterialLedger.apply(.listingRedacted(listing), to: store)
            try OfferCopies.rewrite(offer: listing.id, in: db)
        case DemandPublished.redactedTopic:
            let demand = try event.decodeData(DemandPublished.self).demand
            outputs = try MaterialLedger.apply(.demandRedacted(demand), to: store)
            try OfferCopies.rewrite(offer: demand.id, in: db)
        case LicenceRecorded.topic: outputs = try MaterialLedger.apply(.licence(try event.decodeData(LicenceRecorded.self)), to: store)
        case ProposalResponded.topic: outputs = try MaterialLedger.apply(.response(try event.decodeData(ProposalResponded.self)), to: store)
        case MatchingTick.topic:
            ticks.increment()
            let started = ContinuousClock.now
            outputs = try MaterialLedger.apply(.tick(try event.decodeData(MatchingTick.self)), to: store)
            let created = outputs.filter { if case .proposal(ProposalChanged.createdTopic, _) = $0 { true } else { false } }.count
            proposed.increment(by: created)
            if !outputs.isEmpty {
                let elapsed = started.duration(to: .now).components
                logger.info("matching tick applied", metadata: [
                    "materials.proposed": "\(created)", "materials.changes": "\(outputs.count)",
                    "materials.duration_ms": "\(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)",
                    "bus.sequence": "\(event.sequence ?? 0)",
                ])
            }
        case HandoverValidated.topic:
            outputs = try MaterialLedger.apply(.handover(try event.decodeData(HandoverValidated.self).pickup), to: store)
        default:
            return
        }
        guard !outputs.isEmpty else { return }
        let matchers = try store.loadState().matchers
        for output in outputs where MaterialLedger.owner(of: output.listingId, matchers: matchers) == worker {
            try announce(output, in: db)
            announced.increment()
        }
    }

    func announce(_ output: MaterialLedger.Output, in db: Database) throws {
        switch output {
        case .proposal(let topic, let proposal):
            try outbox.append(topic, ProposalChanged(proposal: proposal), in: db)
        case .shared(let shared):
            try outbox.append(ListingShared.topic, shared, in: db)
        case .handover(let reservation):
            try outbox.append(ReservationChanged.createdTopic, ReservationChanged(reservation: reservation, reason: .reserved), in: db)
        case .completed(let operation):
            try outbox.append(OperationCompleted.topic, operation, in: db)
        }
    }
}
