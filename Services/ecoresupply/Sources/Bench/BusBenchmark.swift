import EcoBus
import EcoStore
import Foundation
import GRDB
import Logging
import Synchronization

/// The durable path measured end to end, in one process but over real sockets and real files:
/// producer transaction (state + outbox) → relay → PUB → forwarder → SUB → consumer transaction
/// (effect + offset). A producer and a consumer, each with its own SQLite file, as two services are.
final class BusBenchmark: Sendable {
    struct Pipeline: Sendable {
        let producerDatabase: DatabasePool
        let outbox: Outbox
        let samples: LatencySamples
        let tasks: [Task<Void, any Error>]
        let loops: [SocketLoop]
        let forwarder: Forwarder
        /// What stopped each part that ended with an error, so a wait fails at once and says why.
        let failures: BenchFailures

        func stop() {
            for task in tasks { task.cancel() }
            for loop in loops { loop.stop() }
            forwarder.stop()
        }
    }

    /// The consumer's effect: one row per event, as a real handler writes.
    struct BenchHandler: EventHandler {
        var topicPrefixes: [String] { ["bench."] }
        func apply(_ event: ReceivedEvent, in db: Database) throws {
            try db.cachedStatement(sql: "INSERT INTO bench_applied (producer, sequence) VALUES (?, ?)")
                .execute(arguments: [event.source, event.sequence])
        }
    }

    static let benchTable = Migration("bench.v1.applied") { db in
        try db.execute(sql: "CREATE TABLE bench_applied (producer TEXT NOT NULL, sequence INTEGER NOT NULL)")
    }

    let directory: URL
    let basePort: Int
    let fullSync: Bool
    let logger: Logger

    init(directory: URL, basePort: Int, fullSync: Bool, logger: Logger) {
        self.directory = directory
        self.basePort = basePort
        self.fullSync = fullSync
        self.logger = logger
    }

    /// Starts a forwarder, a producer and a consumer in fresh files under `directory/name`; with
    /// `curve`, every link runs CURVE and the forwarder checks publishing rights, as with bus keys.
    func start(name: String, capacity: Int, curve: BenchCurve? = nil) async throws -> Pipeline {
        let folder = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
        let subscribe = "tcp://127.0.0.1:\(basePort)"
        let publish = "tcp://127.0.0.1:\(basePort + 1)"
        let replay = "tcp://127.0.0.1:\(basePort + 2)"
        // With keys, the checked forwarder: the producer publishes under its own name only.
        let ownName: Forwarder.PublishingRights = { identity, _, source in identity == source }
        let forwarder = Forwarder(
            subscribeEndpoint: subscribe, publishEndpoint: publish, curveSecretKey: curve?.forwarder.secretKey,
            permits: curve == nil ? nil : ownName, logger: logger)
        let failures = BenchFailures()
        let forwarderTask = failures.watch("the forwarder on \(subscribe) and \(publish)") { try await forwarder.run() }

        let producerDatabase = try DatabaseOpener.open(
            at: folder.appendingPathComponent("producer.sqlite"), fullSync: fullSync, migrations: BusSchema.migrations)
        let producerStats = BusStats(instance: "bench-producer")
        let producerLoop = SocketLoop(
            endpoints: SocketLoopEndpoints(publishTo: publish, routerBind: replay, curve: curve?.settings(for: curve!.producer, replay: replay)),
            sink: nil, logger: logger)
        try await producerLoop.start()
        let relay = OutboxRelay(
            database: producerDatabase, loop: producerLoop, producer: "bench-producer", service: "bench",
            replayEndpoint: replay, stats: producerStats, logger: logger)
        let replayServer = ReplayServer(producer: "bench-producer", database: producerDatabase, stats: producerStats)
        let router = RequestRouter(handlers: [BusRequestKind.replay: { try await replayServer.answer($0) }], logger: logger)

        let consumerDatabase = try DatabaseOpener.open(
            at: folder.appendingPathComponent("consumer.sqlite"), fullSync: fullSync, migrations: BusSchema.migrations + [Self.benchTable])
        let wake = WakePipe()
        let inbox = ConsumerInbox(wake: wake)
        let consumerLoop = SocketLoop(
            endpoints: SocketLoopEndpoints(subscribeTo: subscribe, curve: curve?.settings(for: curve!.consumer, replay: replay)),
            sink: inbox, wake: wake, logger: logger)
        try await consumerLoop.start()
        let samples = LatencySamples(capacity: capacity)
        let consumer = BusConsumer(
            instance: "bench-consumer", database: consumerDatabase, loop: consumerLoop, inbox: inbox.inbox,
            handlers: [BenchHandler()], stats: BusStats(instance: "bench-consumer"),
            afterCommit: { events in samples.applied(sequences: events.compactMap(\.sequence), at: .now) },
            logger: logger)

        let tasks: [Task<Void, any Error>] = [
            failures.watch("the outbox relay") { try await relay.run() },
            failures.watch("the consumer") { try await consumer.run() },
            Task { await router.serve(producerLoop) },
            forwarderTask,
        ]
        let outbox = Outbox(producer: "bench-producer", onCommit: { relay.signal() })
        let pipeline = Pipeline(
            producerDatabase: producerDatabase, outbox: outbox, samples: samples, tasks: tasks,
            loops: [producerLoop, consumerLoop], forwarder: forwarder, failures: failures)
        // Warm-up: one event through, so that every connection and subscription is in place.
        try await commit(pipeline, count: 1, payload: Data())
        try await waitApplied(pipeline, count: 1, timeout: .seconds(30))
        return pipeline
    }

    /// Commits `count` events in one transaction and records the commit instant.
    @discardableResult
    func commit(_ pipeline: Pipeline, count: Int, payload: Data) async throws -> ClosedRange<Int64> {
        let outbox = pipeline.outbox
        let body = String(decoding: payload, as: UTF8.self)
        let range = try await pipeline.producerDatabase.write { db -> ClosedRange<Int64> in
            var first: Int64 = 0
            var last: Int64 = 0
            for index in 0..<count {
                last = try outbox.append("bench.event", ["body": body], in: db)
                if index == 0 { first = last }
            }
            return first...last
        }
        pipeline.samples.committed(sequences: range, at: .now)
        return range
    }

    func waitApplied(_ pipeline: Pipeline, count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while pipeline.samples.appliedCount < count {
            if let failure = pipeline.failures.first { throw BenchError.stopped(failure) }
            guard ContinuousClock.now < deadline else {
                throw BenchError.timeout("only \(pipeline.samples.appliedCount) of \(count) events applied")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Why a benchmark run stopped.
enum BenchError: Error, CustomStringConvertible {
    case timeout(String)
    case exited(String, String)
    case stopped(String)

    var description: String {
        switch self {
        case .timeout(let detail): "benchmark timed out: \(detail)"
        case .stopped(let detail): "benchmark stopped: \(detail) (is another process using these ports? try --base-port)"
        case .exited(let name, let directory): "\(name) exited during the run; see its log in \(directory)"
        }
    }
}

/// The parts of a benchmark's pipeline that ended with an error, named.
final class BenchFailures: Sendable {
    private let failures = Mutex<[String]>([])

    /// The first part that failed, with its error.
    var first: String? { failures.withLock { $0.first } }

    /// Runs `body` as a task; an error it ends with, unless it was cancelled, is recorded under `name`.
    func watch(_ name: String, _ body: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
        Task {
            do {
                try await body()
            } catch {
                if !Task.isCancelled { failures.withLock { $0.append("\(name) failed: \(error)") } }
                throw error
            }
        }
    }
}
