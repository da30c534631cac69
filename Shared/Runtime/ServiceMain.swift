import EcoBus
import EcoConfig
import EcoObservability
import EcoStore
import Logging
import Prometheus

/// Runs one service process: sets up logging and metrics, opens its store and bus sockets, and
/// serves until SIGTERM or SIGINT. Every service's `@main` calls this with its own parts.
public enum ServiceMain {
    public static func run(
        config: ServiceConfig,
        migrations: [Migration],
        parts: (ServiceRuntime, PrometheusCollectorRegistry) async throws -> ServiceParts
    ) async throws {
        let registry = Observability.bootstrap(level: Observability.level(config.logLevel), metadata: TraceContext.loggingMetadata)
        var logger = Logger(label: "ecoresupply.\(config.instance.name)")
        logger.logLevel = Observability.level(config.logLevel)
        do {
            let runtime = try ServiceRuntime(config: config, migrations: migrations, logger: logger)
            try await runtime.run(try await parts(runtime, registry), metrics: registry)
        } catch {
            logger.critical("service failed", metadata: ["service.instance": "\(config.instance.name)", "error": "\(error)"])
            throw error
        }
    }
}
