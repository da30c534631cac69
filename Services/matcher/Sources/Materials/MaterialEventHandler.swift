import EcoBus
import EcoConfig
import EcoModel
import GRDB
import Logging
import Metrics

/// Feeds ingest's materials stream into this worker's ledger, for the market parts it holds
/// (docs/decisions/0016), and announces what the ledger outputs. An event of a part the worker does
/// not hold is skipped before its data is decoded; ticks and licences, which belong to no part,
/// apply everywhere. A tick whose members differ from the last moves parts first (`PartHandover`).
public struct MaterialEventHandler: EventHandler {
    let worker: Int
    /// The members taken until a tick names them: the configured workers.
    let configured: [Int]
    let outbox: Outbox
    let handover: PartHandover
    let logger: Logger
    /// The offers this worker decoded, kept across its transactions for the rounds.
    let decoded = DecodedOffers()
    private let announced = Counter(label: "ecoresupply_materials_announced_total")
    private let skipped = Counter(label: "ecoresupply_materials_events_skipped_total")
    private let ticks = Counter(label: "ecoresupply_materials_ticks_applied_total")
    private let proposed = Counter(label: "ecoresupply_materials_proposals_total")

    static let ingest = ServiceInstance(.ingest).name

    public init(worker: Int, workers: Int, outbox: Outbox, rebuilder: any PartRebuilding, logger: Logger) {
        self.worker = worker
        self.configured = Array(0..<max(workers, 1))
        self.outbox = outbox
        self.handover = PartHandover(worker: worker, configured: configured, rebuilder: rebuilder, logger: logger)
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
        if let part = event.partitionKey, !(try PartHolding(db).admit(part, worker: worker, configured: configured)) {
            skipped.increment()
            return
        }
        let store = SQLiteLedgerStore(db, keepingProposalJSON: true, decoded: decoded)
        guard let input = try MaterialsInput.decode(event) else { return }
        let outputs: [MaterialLedger.Output]
        switch input {
        case .tick(let tick):
            if let sequence = event.sequence { try handover.apply(tick, sequence: sequence, in: db) }
            outputs = try applyTick(tick, sequence: event.sequence, store: store)
        case .listingRedacted(let listing):
            outputs = try MaterialLedger.apply(input, to: store)
            try OfferCopies.rewrite(offer: listing.id, in: db)
        case .demandRedacted(let demand):
            outputs = try MaterialLedger.apply(input, to: store)
            try OfferCopies.rewrite(offer: demand.id, in: db)
        default:
            outputs = try MaterialLedger.apply(input, to: store)
        }
        for output in outputs {
            try announce(output, store: store, in: db)
            announced.increment()
        }
    }

    func applyTick(_ tick: MatchingTick, sequence: Int64?, store: SQLiteLedgerStore) throws -> [MaterialLedger.Output] {
        ticks.increment()
        let started = ContinuousClock.now
        let outputs = try MaterialLedger.apply(.tick(tick), to: store)
        let created = outputs.filter { if case .proposal(ProposalChanged.createdTopic, _) = $0 { true } else { false } }.count
        proposed.increment(by: created)
        if !outputs.isEmpty {
            let elapsed = started.duration(to: .now).components
            logger.info("matching tick applied", metadata: [
                "materials.proposed": "\(created)", "materials.changes": "\(outputs.count)",
                "materials.duration_ms": "\(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)",
                "bus.sequence": "\(sequence ?? 0)",
            ])
        }
        return outputs
    }

    func announce(_ output: MaterialLedger.Output, store: SQLiteLedgerStore, in db: Database) throws {
        switch output {
        case .proposal(let topic, let proposal):
            // The proposal's row was written from the same state: its JSON is reused, not encoded again.
            if let body = store.encoded(proposal) {
                try outbox.append(topic, ProposalChanged.encoded(body), in: db)
            } else {
                try outbox.append(topic, ProposalChanged(proposal: proposal), in: db)
            }
        case .shared(let shared):
            try outbox.append(ListingShared.topic, shared, in: db)
        case .handover(let reservation):
            try outbox.append(ReservationChanged.createdTopic, ReservationChanged(reservation: reservation, reason: .reserved), in: db)
        case .completed(let operation):
            try outbox.append(OperationCompleted.topic, operation, in: db)
        }
    }
}

extension ProposalChanged {
    /// `ProposalChanged` around a proposal already encoded: `{"proposal": …}`, as its synthesized
    /// encoding writes it (`MaterialEventHandlerTests` decodes the event back).
    static func encoded(_ proposal: EncodedPayload<MaterialProposal>) -> EncodedPayload<ProposalChanged> {
        EncodedPayload(wrapping: proposal, as: "proposal")
    }
}
