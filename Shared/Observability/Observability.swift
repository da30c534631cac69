import Logging
import Metrics
import Prometheus

/// Sets up logging (swift-log to standard error, one line per record with dotted metadata keys) and
/// metrics (swift-metrics into a Prometheus registry). Call once, first thing in `main`.
public enum Observability {
    /// Bootstraps both systems and returns the registry that `/metrics` renders.
    @discardableResult
    public static func bootstrap(level: Logger.Level) -> PrometheusCollectorRegistry {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// Parses a level name accepted by the `--log-level` flag.
    public static func level(_ name: String) -> Logger.Level {
        Logger.Level(rawValue: name) ?? .info
    }
}
