import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Applies every producer's events to this process's store exactly once, in each producer's order.
///
/// Live events arrive through the socket loop; missing ones are fetched by replay (at start from
/// the stored offsets, on a gap, and when a heartbeat shows the consumer behind). Each batch is one
/// write transaction holding the handlers' effects and the new offsets, so a crash either keeps both
/// or neither. Messages that do not decode are counted, logged and dead-lettered.
public final class BusConsumer: Service, Sendable {
    public static let batchSize = 2000

    private let instance: String
    private let database: DatabasePool
    private let loop: SocketLoop
    private let inbox: BoundedInbox<ConsumerInput>
    private let handlers: [any EventHandler]
    private let stats: BusStats
    public let directory: ProducerDirectory
    private let logger: Logger
    private let replayTimeout: Duration
    private let afterCommit: (@Sendable ([ReceivedEvent]) -> Void)?

    /// - Parameter afterCommit: called with each batch's events once their transaction committed
    ///   (the benchmark measures latency with it).
    public init(
        instance: String,
        database: DatabasePool,
        loop: SocketLoop,
        inbox: BoundedInbox<ConsumerInput>,
        handlers: [any EventHandler],
        stats: BusStats,
        directory: ProducerDirectory = ProducerDirectory(),
        replayTimeout: Duration = .seconds(3),
        afterCommit: (@Sendable ([ReceivedEvent]) -> Void)? = nil,
        logger: Logger
    ) {
        self.afterCommit = afterCommit
        self.instance = instance
        self.database = database
        self.loop = loop
        self.inbox = inbox
        self.handlers = handlers
        self.stats = stats
        self.directory = directory
        self.replayTimeout = replayTimeout
        self.logger = logger
    }

    public func run() async throws {
        let initial = try await loadState()
        await cancelWhenGracefulShutdown { [self] in
            var state = initial
            startReplays(&state)
            while true {
                let inputs = await inbox.take(max: Self.batchSize)
                if inputs.isEmpty { break }
                await process(inputs, state: &state)
                startReplays(&state)
            }
        }
        logger.info("bus consumer stopped", metadata: ["bus.instance": "\(instance)"])
    }

    // MARK: - One batch

    private struct Batch {
        var ready: [(event: ReceivedEvent, replayed: Bool)] = []
        var deadLetters: [(frames: [Data], reason: DeadLetterReason, producer: String?, sequence: Int64?)] = []
        var producerUpdates: Set<String> = []
        var duplicates = 0
        var finishedReplays: [(producer: String, reply: ReplayReply, broughtNew: Bool)] = []
    }

    private func process(_ inputs: [ConsumerInput], state: inout ConsumerState) async {
        var batch = Batch()
        for input in inputs {
            switch input {
            case .live(let frames):
                route(InboundMessage.decode(frames), replayed: false, state: &state, batch: &batch)
            case .replayed(let producer, let reply, let events):
                let before = batch.ready.count
                for payload in events {
                    route(InboundMessage.decodeEvent(payload, expectedType: nil), replayed: true, state: &state, batch: &batch)
                }
                batch.finishedReplays.append((producer, reply, batch.ready.count > before))
            case .replayFailed(let producer, let error):
                logger.warning("replay failed; retrying on the next heartbeat", metadata: ["bus.producer": "\(producer)", "error": "\(error)"])
                state.replayFailed(producer: producer)
            }
        }
        for (producer, reply, broughtNew) in batch.finishedReplays {
            let expectedBefore = state.producers[producer]?.expected ?? 0
            let (released, skipped) = state.replayFinished(
                producer: producer, through: reply.through, latest: reply.latest, broughtNew: broughtNew)
            batch.ready.append(contentsOf: released.map { (event: $0, replayed: true) })
            if skipped > 0 {
                if expectedBefore + skipped <= (reply.compactedBelow ?? 0) {
                    // Compaction: later events of the same things carry their whole state.
                    logger.info("superseded events compacted away by the producer were skipped",
                                metadata: ["bus.producer": "\(producer)", "bus.skipped": "\(skipped)"])
                } else {
                    logger.error("producer no longer has events this consumer never applied; they are skipped",
                                 metadata: ["bus.producer": "\(producer)", "bus.skipped": "\(skipped)"])
                }
            }
        }
        if !batch.ready.isEmpty || !batch.deadLetters.isEmpty || !batch.producerUpdates.isEmpty {
            do {
                try await commit(batch, state: state)
                state.committed()
                afterCommit?(batch.ready.map(\.event))
                stats.recordDelivered(batch.ready.count, replayed: batch.ready.filter(\.replayed).count)
                stats.recordDeadLettered(batch.deadLetters.count)
            } catch {
                logger.error("consumer batch failed; it will be replayed", metadata: ["error": "\(error)", "bus.events": "\(batch.ready.count)"])
                state.rolledBack()
            }
        }
        stats.recordDuplicates(batch.duplicates)
        stats.recordLag(state.lag)
    }

    private func route(_ message: InboundMessage, replayed: Bool, state: inout ConsumerState, batch: inout Batch) {
        switch message {
        case .event(let event):
            guard event.source != instance else { return }
            let (ready, duplicates) = state.accept(event)
            batch.duplicates += duplicates
            batch.ready.append(contentsOf: ready.map { ($0, replayed) })
        case .heartbeat(let source, let heartbeat, let sentAt):
            directory.record(source: source, heartbeat, sentAt: sentAt)
            guard source != instance else { return }
            if state.heartbeat(from: source, heartbeat) { batch.producerUpdates.insert(source) }
        case .invalid(let reason, let frames):
            logger.warning("bus message dead-lettered", metadata: ["bus.reason": "\(reason)", "bus.frames": "\(frames.count)"])
            batch.deadLetters.append((frames, reason, nil, nil))
        }
    }

    /// Applies one event with its handlers, its trace current meanwhile: the events they append
    /// carry it on, and the lines they log name it (docs/decisions/0018).
    private static func apply(_ event: ReceivedEvent, with handlers: [any EventHandler], in db: Database, logger: Logger) throws {
        try TraceContext.$current.withValue(event.trace) {
            for handler in handlers { try handler.apply(event, in: db) }
            logger.debug("event applied", metadata: ["event.type": "\(event.type)", "event.source": "\(event.source)", "event.sequence": "\(event.sequence ?? 0)"])
        }
    }

    private func commit(_ batch: Batch, state: ConsumerState) async throws {
        let handlers = self.handlers
        let logger = self.logger
        let now = EventTime.format(Date())
        let offsets = batch.ready.reduce(into: [String: Int64]()) { offsets, item in
            offsets[item.event.source] = max(offsets[item.event.source] ?? 0, item.event.sequence ?? 0)
        }
        let producerRows = batch.producerUpdates.compactMap { name -> (String, ConsumerState.Producer)? in
            state.producers[name].map { (name, $0) }
        }
        let work = batch.ready.compactMap { item -> (event: ReceivedEvent, handlers: [any EventHandler])? in
            let applicable = handlers.filter { $0.handles(item.event.type) }
            return applicable.isEmpty ? nil : (item.event, applicable)
        }
        let rejected = try await database.write { db -> [(ReceivedEvent, String)] in
            var rejected: [(ReceivedEvent, String)] = []
            // Fast path: the whole batch in one savepoint. If any handler throws, undo it and apply
            // the events one savepoint each, so that only the failing event is dead-lettered.
            let allApplied: Bool
            do {
                try db.inSavepoint {
                    for (event, applicable) in work { try Self.apply(event, with: applicable, in: db, logger: logger) }
                    return .commit
                }
                allApplied = true
            } catch let error as any RetryableHandlerError {
                throw error
            } catch {
                allApplied = false
            }
            if !allApplied {
                for (event, applicable) in work {
                    do {
                        try db.inSavepoint {
                            try Self.apply(event, with: applicable, in: db, logger: logger)
                            return .commit
                        }
                    } catch let error as any RetryableHandlerError {
                        throw error
                    } catch {
                        rejected.append((event, "\(error)"))
                        try DeadLetterStore.record(
                            [Data(event.type.utf8), event.payload], reason: .handlerRejected("\(error)".prefix(300).description),
                            producer: event.source, sequence: event.sequence, in: db)
                    }
                }
            }
            for (frames, reason, producer, sequence) in batch.deadLetters {
                try DeadLetterStore.record(frames, reason: reason, producer: producer, sequence: sequence, in: db)
            }
            for (producer, sequence) in offsets {
                try db.cachedStatement(sql: """
                    INSERT INTO bus_offsets (producer, sequence, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(producer) DO UPDATE SET sequence = excluded.sequence, updated_at = excluded.updated_at
                    """).execute(arguments: [producer, sequence, now])
            }
            for (name, producer) in producerRows {
                guard let endpoint = producer.endpoint else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO bus_producers (producer, service, replay_endpoint, latest, seen_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(producer) DO UPDATE SET service = excluded.service, replay_endpoint = excluded.replay_endpoint,
                            latest = excluded.latest, seen_at = excluded.seen_at
                        """,
                    arguments: [name, producer.service ?? "", endpoint, producer.latestKnown, now])
            }
            if !batch.deadLetters.isEmpty || !rejected.isEmpty { try DeadLetterStore.prune(db) }
            return rejected
        }
        for (event, error) in rejected {
            TraceContext.$current.withValue(event.trace) {
                logger.warning("event rejected by its handler and dead-lettered",
                               metadata: ["bus.producer": "\(event.source)", "bus.sequence": "\(event.sequence ?? 0)", "bus.type": "\(event.type)", "error": "\(error)"])
            }
        }
        if !rejected.isEmpty { stats.recordDeadLettered(rejected.count) }
    }

    // MARK: - Replay

    private func loadState() async throws -> ConsumerState {
        struct Known: Sendable {
            let service: String
            let endpoint: String
            let latest: Int64
        }
        let (offsets, known) = try await database.read { db -> ([String: Int64], [String: Known]) in
            var offsets: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT producer, sequence FROM bus_offsets") {
                offsets[row["producer"]] = row["sequence"]
            }
            var known: [String: Known] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT producer, service, replay_endpoint, latest FROM bus_producers") {
                known[row["producer"]] = Known(service: row["service"], endpoint: row["replay_endpoint"], latest: row["latest"])
            }
            return (offsets, known)
        }
        var state = ConsumerState()
        for (name, applied) in offsets {
            state.restore(producer: name, applied: applied, endpoint: known[name]?.endpoint, service: known[name]?.service, latest: known[name]?.latest ?? 0)
        }
        for (name, entry) in known where state.producers[name] == nil {
            state.restore(producer: name, applied: 0, endpoint: entry.endpoint, service: entry.service, latest: entry.latest)
        }
        logger.info("bus consumer started", metadata: ["bus.instance": "\(instance)", "bus.producers": "\(state.producers.count)"])
        return state
    }

    private func startReplays(_ state: inout ConsumerState) {
        for ask in state.takeReplayAsks() {
            let loop = self.loop
            let inbox = self.inbox
            let timeout = replayTimeout
            logger.debug("asking for replay", metadata: ["bus.producer": "\(ask.producer)", "bus.from": "\(ask.from)"])
            Task {
                do {
                    let body = try EventCodec.encoder.encode(ReplayRequest(from: ask.from))
                    let frames = try await loop.request(ask.endpoint, kind: BusRequestKind.replay, body: [body], timeout: timeout)
                    guard let first = frames.first else { throw BusRequestError.malformedReply("empty replay reply") }
                    let reply = try EventCodec.decoder.decode(ReplayReply.self, from: first)
                    inbox.push(.replayed(producer: ask.producer, reply: reply, events: Array(frames.dropFirst())))
                } catch {
                    inbox.push(.replayFailed(producer: ask.producer, error: "\(error)"))
                }
            }
        }
    }
}
