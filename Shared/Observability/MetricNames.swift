/// Every metric under the one `ecoresupply_` prefix, with Prometheus-safe names: the project's own
/// metrics are already named so, and those of libraries (Hummingbird's `MetricsMiddleware`) are
/// renamed here, in the factory, rather than left under their own prefixes.
public enum MetricNames {
    public static let prefix = "ecoresupply_"

    /// The names Hummingbird's HTTP metrics take here.
    static let renamed: [String: String] = [
        "hb.requests": "ecoresupply_http_requests_total",
        "hb.request.errors": "ecoresupply_http_request_errors_total",
        "http.server.request.duration": "ecoresupply_http_request_duration_seconds",
        "http.server.active_requests": "ecoresupply_http_active_requests",
    ]

    /// The name and labels a metric is registered under: a library's name mapped or prefixed, and
    /// every character Prometheus does not allow in a name or a label (a dot) made an underscore.
    public static func sanitize(_ name: String, _ labels: [(String, String)]) -> (String, [(String, String)]) {
        let mapped = renamed[name] ?? (name.hasPrefix(prefix) ? name : prefix + name)
        return (safe(mapped), labels.map { (safe($0.0), $0.1) })
    }

    static func safe(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }
}
