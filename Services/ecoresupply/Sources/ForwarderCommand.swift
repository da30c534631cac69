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
        // With keys, only the deployment's services publish, and only its processes subscribe.
        let keyring = try config.busKeys.map { try BusKeyDirectory.load(from: $0, name: BusKeyDirectory.forwarderName) }
        let publishers = keyring.map { keyring in
            BusKeyring(name: keyring.name, own: keyring.own, services: keyring.services.filter { $0.key != BusKeyDirectory.cliName && $0.key != BusKeyDirectory.forwarderName })
        }
        let zap = keyring.flatMap { keyring in
            publishers.map { BusSecurity.authenticator(admitting: [BusCurve.publishDomain: $0, BusCurve.subscribeDomain: keyring], logger: logger) }
        }
        try zap?.start()
        defer { zap?.stop() }
        let forwarder = Forwarder(
            subscribeEndpoint: config.topology.subscribeEndpoint,
            publishEndpoint: config.topology.publishEndpoint,
            curveSecretKey: keyring?.own.secretKey,
            permits: keyring == nil ? nil : Self.publishingRights,
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
