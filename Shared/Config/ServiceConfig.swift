import Foundation

/// Everything a service process needs to start, read once in `main` and passed down.
public struct ServiceConfig: Sendable {
    public var instance: ServiceInstance
    public var dataDirectory: URL
    public var topology: BusTopology
    public var durability: Durability
    public var logLevel: String
    /// Matcher workers in the deployment (the gateway and the workers themselves need the count).
    public var matcherCount: Int
    /// The bus's CURVE key directory (`--bus-keys`); nil: plain TCP.
    public var busKeys: URL?
    /// The bus runs without keys off loopback because the operator said `--insecure-bus`.
    public var insecureBus: Bool

    public init(
        instance: ServiceInstance,
        dataDirectory: URL,
        topology: BusTopology,
        durability: Durability = .normal,
        logLevel: String = "info",
        matcherCount: Int = 1,
        busKeys: URL? = nil,
        insecureBus: Bool = false
    ) {
        self.busKeys = busKeys
        self.insecureBus = insecureBus
        self.instance = instance
        self.dataDirectory = dataDirectory
        self.topology = topology
        self.durability = durability
        self.logLevel = logLevel
        self.matcherCount = matcherCount
    }

    /// The instance's own SQLite file: `<data-dir>/<instance>.sqlite`.
    public var databaseURL: URL {
        dataDirectory.appendingPathComponent("\(instance.name).sqlite")
    }

    /// The endpoint this instance binds its ROUTER socket on.
    public var routerEndpoint: String { topology.routerBindEndpoint(of: instance) }

    /// The ROUTER endpoint this instance announces in its heartbeats, for replay.
    public var advertisedRouterEndpoint: String { topology.routerAdvertisedEndpoint(of: instance) }
}
