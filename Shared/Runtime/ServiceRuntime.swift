import EcoBus
import EcoConfig
import EcoModel
import EcoStore
import Foundation
import GRDB
import Logging
import Prometheus
import ServiceLifecycle
import ZeroMQ

/// What a service adds to the common runtime: its tables, the events it applies, the requests it
/// answers, and any long-running services of its own (e.g. the gateway's HTTP server).
public struct ServiceParts: Sendable {
    public var migrations: [Migration]
    public var handlers: [any EventHandler]
    public var requestHandlers: [String: RequestHandler]
    public var services: [any Service]
    /// What the service holds about people: exported by `privacy.export`, erased on `account.erased`.
    public var personalData: [any PersonalDataHolder]
    /// What the service purges once its period passes (dead letters are purged in every service).
    public var retention: [any PurgeJob]
    /// Producers whose erasure this service must have applied too before it says it erased a person:
    /// those whose events it keeps copies of (their redactions come before their `privacy.erased`).
    public var erasureAwaits: [ServiceInstance] = []
    /// Runs once the sockets are open, before the consumer applies anything (requests to other
    /// services work; this process answers none yet): e.g. a matcher worker copying a peer's ledger.
    public var beforeConsuming: (@Sendable () async -> Void)?

    public init(
        migrations: [Migration] = [], handlers: [any EventHandler] = [], requestHandlers: [String: RequestHandler] = [:], services: [any Service] = [],
        personalData: [any PersonalDataHolder] = [], retention: [any PurgeJob] = []
    ) {
        self.retention = retention
        self.migrations = migrations
        self.handlers = handlers
        self.requestHandlers = requestHandlers
        self.services = services
        self.personalData = personalData
    }
}

/// Why a service could not start.
public enum RuntimeError: Error, CustomStringConvertible {
    case store(StoreError)
    case bus(ZMQError, endpoint: String)
    case keys(BusKeyError)

    public var description: String {
        switch self {
        case .store(let error): "\(error)"
        case .keys(let error): "\(error)"
        case .bus(let error, let endpoint): "cannot open bus sockets (\(endpoint)): \(error)"
        }
    }
}

/// The parts every service process has: its own SQLite store with the bus tables, the socket loop,
/// the outbox and its relay, the consumer, and the request router; run under one `ServiceGroup`
/// that shuts down cleanly on SIGTERM or SIGINT.
public final class ServiceRuntime: Sendable {
    public let config: ServiceConfig
    public let database: DatabasePool
    public let outbox: Outbox
    public let loop: SocketLoop
    public let stats: BusStats
    public let directory: ProducerDirectory
    public let logger: Logger
    private let relay: OutboxRelay
    private let inbox: ConsumerInbox
    /// The keys of a deployment whose bus runs CURVE; nil on plain TCP.
    public let keyring: BusKeyring?

    /// Opens the store (running the bus, diagnostics and service migrations) and prepares the sockets.
    public init(config: ServiceConfig, migrations: [Migration], logger: Logger) throws(RuntimeError) {
        self.config = config
        self.logger = logger
        do {
            database = try DatabaseOpener.open(
                at: config.databaseURL, fullSync: config.durability == .full,
                migrations: BusSchema.migrations + Diagnostics.migrations + ErasedAccounts.migrations + migrations)
        } catch {
            throw .store(error)
        }
        let security: (curve: BusCurve, keyring: BusKeyring)?
        do {
            security = try BusSecurity.curve(for: config)
        } catch {
            throw .keys(error)
        }
        keyring = security?.keyring
        let wake = WakePipe()
        inbox = ConsumerInbox(wake: wake)
        loop = SocketLoop(
            endpoints: SocketLoopEndpoints(
                publishTo: config.topology.publishEndpoint,
                subscribeTo: config.topology.subscribeEndpoint,
                subscriptions: [""],
                routerBind: config.routerEndpoint,
                curve: security?.curve),
            sink: inbox, wake: wake, logger: logger)
        stats = BusStats(instance: config.instance.name)
        directory = ProducerDirectory()
        let loop = self.loop
        let relay = OutboxRelay(
            database: database, loop: loop, producer: config.instance.name, service: config.instance.kind.rawValue,
            replayEndpoint: config.advertisedRouterEndpoint, stats: stats, logger: logger)
        self.relay = relay
        outbox = Outbox(producer: config.instance.name, onCommit: { relay.signal() })
    }

    /// Starts the sockets and runs until SIGTERM/SIGINT, then stops every part in reverse order.
    /// - Parameter metrics: the process's swift-metrics registry, served as `bus.metrics` for the gateway's `/metrics`.
    public func run(_ parts: ServiceParts, metrics: PrometheusCollectorRegistry? = nil) async throws {
        // The ZAP handler listens before the ROUTER binds: without one, libzmq lets every key in.
        var registry: BusKeyRegistry?
        if let directory = config.busKeys {
            do throws(BusKeyError) {
                registry = try BusKeyRegistry(directory: directory, name: config.instance.name)
            } catch {
                throw RuntimeError.keys(error)
            }
        }
        let authenticator = registry.map { BusSecurity.routerAuthenticator($0, logger: logger) }
        try authenticator?.start()
        defer { authenticator?.stop() }
        do {
            try await loop.start()
        } catch {
            throw RuntimeError.bus(error, endpoint: config.routerEndpoint)
        }
        await parts.beforeConsuming?()
        let erasure = ErasureHandler(
            instance: config.instance.name, holders: parts.personalData, outbox: outbox, database: database, logger: logger,
            awaits: Set(parts.erasureAwaits.map(\.name)))
        let consumer = BusConsumer(
            instance: config.instance.name, database: database, loop: loop, inbox: inbox.inbox,
            handlers: [Diagnostics.Recorder(), erasure] + parts.handlers, stats: stats, directory: directory, logger: logger)
        var handlers = Diagnostics.requestHandlers(database: database, outbox: outbox, logger: logger)
        handlers[PrivacyRequests.export] = ExportRequestHandler.make(instance: config.instance.name, holders: parts.personalData, database: database)
        handlers.merge(parts.requestHandlers) { _, new in new }
        handlers.merge(BackupHold(instance: config.instance.name, database: database, logger: logger).handlers) { _, new in new }
        let replay = ReplayServer(producer: config.instance.name, database: database, stats: stats)
        let stats = self.stats
        let name = config.instance.name
        handlers[BusRequestKind.replay] = { body in try await replay.answer(body) }
        handlers[BusRequestKind.stats] = { _ in
            do { return [try EventCodec.encoder.encode(stats.snapshot)] } catch { throw RemoteError(code: "internal", message: "\(error)") }
        }
        handlers[BusRequestKind.ping] = { _ in [Data(name.utf8)] }
        if let metrics { handlers[BusRequestKind.metrics] = { _ in [Data(metrics.emitToString().utf8)] } }
        let router = RequestRouter(handlers: handlers, admission: registry.map(BusSecurity.admission), logger: logger)

        let socketService = SocketLoopService(loop: loop, router: router)
        let retention = RetentionService(jobs: [DeadLetterRetention()] + parts.retention, database: database, logger: logger)
        var services = ([socketService, relay, consumer, retention] + parts.services).map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0)
        }
        if let watch = SupervisorWatch(environment: ProcessInfo.processInfo.environment, logger: logger) {
            services.append(.init(service: watch, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if config.insecureBus { services.append(.init(service: InsecureBusWarning(host: config.topology.host, logger: logger))) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("service starting", metadata: [
            "service.instance": "\(config.instance.name)",
            "service.database": "\(config.databaseURL.path)",
            "bus.router": "\(config.routerEndpoint)",
            "bus.advertised": "\(config.advertisedRouterEndpoint)",
            "bus.subscribe": "\(config.topology.subscribeEndpoint)",
            "bus.publish": "\(config.topology.publishEndpoint)",
        ])
        try await group.run()
        logger.info("service stopped", metadata: ["service.instance": "\(config.instance.name)"])
    }
}

/// Serves requests while running; closes the sockets when the group shuts down (it is first in the
/// group, so it stops last).
struct SocketLoopService: Service {
    let loop: SocketLoop
    let router: RequestRouter

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await router.serve(loop) }
            try? await gracefulShutdown()
            loop.stop()
            await group.waitForAll()
        }
    }
}
