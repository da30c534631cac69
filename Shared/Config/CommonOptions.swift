import ArgumentParser
import Foundation

/// Options every process shares. Each is taken from its flag, else from `ECORESUPPLY_<NAME>` in
/// the environment, else from the embedded default.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite files (env ECORESUPPLY_DATA_DIR, default ./data).")
    public var dataDir: String?

    @Option(name: .customLong("bus-port"), help: "Forwarder XPUB port; XSUB is +1, services follow (env ECORESUPPLY_BUS_PORT, default 7700).")
    public var busPort: Int?

    @Option(name: .customLong("bus-host"), help: "Host of the bus endpoints (env ECORESUPPLY_BUS_HOST, default 127.0.0.1).")
    public var busHost: String?

    @Option(name: .customLong("peer-hosts"), help: "Where each process is reached when they run on several hosts: instance=host entries and *=template with {name}, {kind}, {index}, e.g. '*={kind}-{index}.{kind}' (env ECORESUPPLY_PEER_HOSTS; default: every process on --bus-host).")
    public var peerHosts: String?

    @Option(name: .customLong("advertise-host"), help: "The host others reach this process at, announced in its heartbeats (env ECORESUPPLY_ADVERTISE_HOST; default: what --peer-hosts says of it).")
    public var advertiseHost: String?

    @Option(name: .customLong("bind-host"), help: "The address this process binds its bus sockets on, e.g. 0.0.0.0 in a container (env ECORESUPPLY_BIND_HOST; default: the advertised host).")
    public var bindHost: String?

    @Option(name: .customLong("durability"), help: "normal (survives a crash) or full (fsync each commit) (env ECORESUPPLY_DURABILITY).")
    public var durability: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (env ECORESUPPLY_LOG_LEVEL, default info).")
    public var logLevel: String?

    @Option(name: .customLong("matchers"), help: "Matcher workers in the deployment (env ECORESUPPLY_MATCHERS, default 1).")
    public var matchers: Int?

    @Option(name: .customLong("bus-keys"), help: "Directory of the bus's CURVE keys: this process's <name>.key and everyone's public.json (env ECORESUPPLY_BUS_KEYS; default <data-dir>/bus-keys when it exists, as `ecoresupply up` makes it).")
    public var busKeys: String?

    @Flag(name: .customLong("insecure-bus"), help: "Run the bus without keys even off loopback (logged as a warning every minute); never on a network others reach.")
    public var insecureBus = false

    public init() {}

    public static let defaultBusPort = 7700
    public static let defaultDataDirectory = "./data"
    /// Where `ecoresupply up` makes the bus keys, inside the data directory.
    public static let busKeysFolder = "bus-keys"

    /// Resolves flags, environment and defaults into a config for `instance`.
    public func resolve(
        instance: ServiceInstance,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ServiceConfig {
        let settings = EnvironmentSettings(environment)
        let port: Int
        if let busPort { port = busPort } else { port = try settings.int("BUS_PORT", default: Self.defaultBusPort) }
        guard (1...65_000).contains(port) else {
            throw ConfigError(setting: "bus-port", value: "\(port)", reason: "must be between 1 and 65000")
        }
        let durabilityText = durability ?? settings.string("DURABILITY") ?? Durability.normal.rawValue
        guard let durability = Durability(rawValue: durabilityText) else {
            throw ConfigError(setting: "durability", value: durabilityText, reason: "use normal or full")
        }
        let level = logLevel ?? settings.string("LOG_LEVEL") ?? "info"
        let validLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard validLevels.contains(level) else {
            throw ConfigError(setting: "log-level", value: level, reason: "use one of \(validLevels.joined(separator: ", "))")
        }
        let matcherCount: Int
        if let matchers { matcherCount = matchers } else { matcherCount = try settings.int("MATCHERS", default: 1) }
        guard (1...64).contains(matcherCount) else {
            throw ConfigError(setting: "matchers", value: "\(matcherCount)", reason: "must be between 1 and 64")
        }
        if let index = instance.index, index >= matcherCount {
            throw ConfigError(setting: "worker", value: "\(index)", reason: "must be below --matchers (\(matcherCount))")
        }
        let directory = dataDir ?? settings.string("DATA_DIR") ?? Self.defaultDataDirectory
        let dataURL = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        let host = busHost ?? settings.string("BUS_HOST") ?? "127.0.0.1"
        var peers = PeerHosts()
        if let text = peerHosts ?? settings.string("PEER_HOSTS") { peers = try PeerHosts.parse(text) }
        let topology = BusTopology(
            host: host, busPort: port, peers: peers,
            advertiseHost: try Self.host(advertiseHost ?? settings.string("ADVERTISE_HOST"), setting: "advertise-host"),
            bindHost: try Self.host(bindHost ?? settings.string("BIND_HOST"), setting: "bind-host"))
        let insecure = insecureBus || settings.string("INSECURE_BUS") == "1"
        var keys = (busKeys ?? settings.string("BUS_KEYS")).flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
        let madeByUp = dataURL.appendingPathComponent(Self.busKeysFolder, isDirectory: true)
        if keys == nil, !insecure, FileManager.default.fileExists(atPath: madeByUp.appendingPathComponent("public.json").path) { keys = madeByUp }
        if insecure { keys = nil }
        guard keys != nil || insecure || topology.isLoopback else {
            throw ConfigError(
                setting: BusTopology.isLoopback(host) ? "peer-hosts" : "bus-host", value: BusTopology.isLoopback(host) ? (peerHosts ?? settings.string("PEER_HOSTS") ?? "") : host,
                reason: "a bus reachable from other machines needs keys: make them with `ecoresupply keys init` and give --bus-keys, or say --insecure-bus")
        }
        return ServiceConfig(
            instance: instance,
            dataDirectory: dataURL,
            topology: topology,
            durability: durability,
            logLevel: level,
            matcherCount: matcherCount,
            busKeys: keys,
            insecureBus: insecure && !topology.isLoopback
        )
    }

    /// A host flag's value, checked: nil when not given.
    static func host(_ value: String?, setting: String) throws(ConfigError) -> String? {
        guard let value else { return nil }
        guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || "-.:[]_".contains($0) }) else {
            throw ConfigError(setting: setting, value: value, reason: "a host name or address: letters, digits, '-', '.', ':' and brackets")
        }
        return value
    }
}
