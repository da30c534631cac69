import EcoBus
import EcoConfig
import EcoRuntime
import Hummingbird
import Logging
import Prometheus

/// Builds the gateway's HTTP application over a running service runtime.
public func buildApplication(
    runtime: ServiceRuntime, config: GatewayConfig, registry: PrometheusCollectorRegistry
) throws -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    let peers = BusTopology.instances(matchers: runtime.config.matcherCount)
        .filter { $0 != runtime.config.instance }
        .map { (name: $0.name, endpoint: runtime.config.topology.routerEndpoint(of: $0)) }
    OperationsRoutes(
        instance: runtime.config.instance.name,
        directory: runtime.directory,
        readiness: Readiness(gatewayInstance: runtime.config.instance.name),
        registry: registry,
        loop: runtime.loop,
        ownStats: runtime.stats,
        peers: peers,
        openAPIDocument: try OpenAPIDocument.load()
    ).register(on: router)
    var logger = runtime.logger
    logger[metadataKey: "component"] = "http"
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(config.httpHost, port: config.httpPort),
            serverName: "ecoresupply-gateway"),
        logger: logger)
}
