import EcoRuntime
import EcoStore
import Prometheus

/// The gateway: HTTP in, bus commands and queries out.
public enum GatewayService {
    /// The gateway's own tables (accounts, sessions, keys come with later capabilities).
    public static let migrations: [Migration] = []

    public static func parts(runtime: ServiceRuntime, config: GatewayConfig, registry: PrometheusCollectorRegistry) throws -> ServiceParts {
        ServiceParts(services: [try buildApplication(runtime: runtime, config: config, registry: registry)])
    }
}
