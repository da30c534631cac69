import ArgumentParser
import EcoBus
import EcoConfig
import EcoObservability
import EcoRuntime
import Foundation
import Logging
import ServiceLifecycle

/// `ecoresupply forwarder`: the bus's XSUB/XPUB proxy as its own process (`up` starts it).
struct ForwarderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forwarder",
        abstract: "Run the bus forwarder: XPUB on --bus-port (subscribe), XSUB on --bus-port + 1 (publish).")

    @OptionGroup var options: CommonOptions

    /// docs/events.md's table, enforced: who may publish which topic.
    static let publishingRights: Forwarder.PublishingRights = { identity, topic, source in
        TopicCatalogue.permits(identity: identity, topic: topic, source: source)
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        Observability.bootstrap(level: Observability.level(config.logLevel))
        let logger = Logger(label: "ecoresupply.forwarder")
        // With keys, only the deployment's services publish, and its processes and subscriber keys subscribe.
        let security = try config.busKeys.map { ForwarderSecurity(registry: try BusKeyRegistry(directory: $0, name: BusKeyDirectory.forwarderName)) }
        let keyring = security?.registry.current
        let zap = security?.authenticator(logger: logger)
        try zap?.start()
        defer { zap?.stop() }
        var subscriptions: Forwarder.SubscriptionRights?
        if let security {
            subscriptions = { identity, prefix in security.allows(identity, subscription: prefix) }
        }
        let forwarder = Forwarder(
            subscribeEndpoint: config.topology.subscribeBindEndpoint,
            publishEndpoint: config.topology.publishBindEndpoint,
            curveSecretKey: keyring?.own.secretKey,
            permits: keyring == nil ? nil : Self.publishingRights,
            subscriptions: subscriptions,
            logger: logger)
        if keyring != nil { logger.notice("bus forwarder runs CURVE: only the deployment's keys connect") }
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: ForwarderService(forwarder: forwarder))]
        if config.insecureBus { services.append(.init(service: InsecureBusWarning(host: config.topology.host, logger: logger))) }
        if let watch = SupervisorWatch(environment: ProcessInfo.processInfo.environment, logger: logger) {
            services.append(.init(service: watch, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Runs the forwarder until graceful shutdown.
struct ForwarderService: Service {
    let forwarder: Forwarder

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await forwarder.run()
        } onGracefulShutdown: {
            forwarder.stop()
        }
    }
}
