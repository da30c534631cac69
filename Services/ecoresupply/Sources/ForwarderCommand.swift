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

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        Observability.bootstrap(level: Observability.level(config.logLevel))
        let logger = Logger(label: "ecoresupply.forwarder")
        let forwarder = Forwarder(
            subscribeEndpoint: config.topology.subscribeEndpoint,
            publishEndpoint: config.topology.publishEndpoint,
            logger: logger)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: ForwarderService(forwarder: forwarder))]
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
