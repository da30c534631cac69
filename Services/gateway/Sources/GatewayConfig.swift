import ArgumentParser
import EcoConfig

/// The gateway's HTTP settings, beside the common ones.
public struct GatewayConfig: Sendable {
    public var httpHost: String
    public var httpPort: Int

    public init(httpHost: String = "127.0.0.1", httpPort: Int = 8080) {
        self.httpHost = httpHost
        self.httpPort = httpPort
    }
}

/// Flags for the gateway's HTTP listener (env ECORESUPPLY_HTTP_HOST / ECORESUPPLY_HTTP_PORT).
public struct GatewayOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("http-host"), help: "Address the HTTP server listens on (default 127.0.0.1).")
    public var httpHost: String?

    @Option(name: .customLong("http-port"), help: "HTTP port (default 8080).")
    public var httpPort: Int?

    public init() {}

    public func resolve(environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        let settings = EnvironmentSettings(environment)
        let port: Int
        if let httpPort { port = httpPort } else { port = try settings.int("HTTP_PORT", default: 8080) }
        guard (1...65_535).contains(port) else {
            throw ConfigError(setting: "http-port", value: "\(port)", reason: "must be between 1 and 65535")
        }
        return GatewayConfig(httpHost: httpHost ?? settings.string("HTTP_HOST") ?? "127.0.0.1", httpPort: port)
    }
}
