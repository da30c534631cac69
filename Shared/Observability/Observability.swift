import Logging
import Metrics
import Prometheus

/// Sets up logging (swift-log to standard error, one line per record with dotted metadata keys) and
/// metrics (swift-metrics into a Prometheus registry). Call once, first thing in `main`.
public enum Observability {
    /// Bootstraps both systems and returns the registry that `/metrics` renders.
    /// - Parameter metadata: what every log line adds, read when it is written (the bus's
    ///   `TraceContext.loggingMetadata`, so that each line names its request's correlation id).
    @discardableResult
    public static func bootstrap(level: Logger.Level, metadata: Logger.MetadataProvider? = nil) -> PrometheusCollectorRegistry {
        LoggingSystem.bootstrap({ label, provider in
            var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: metadata)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = MetricNames.sanitize
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// Parses a level name accepted by the `--log-level` flag.
    public static func level(_ name: String) -> Logger.Level {
        Logger.Level(rawValue: name) ?? .info
    }
}
