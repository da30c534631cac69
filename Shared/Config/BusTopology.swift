/// Where each process of one deployment listens, all derived from the bus port:
/// - `busPort`: the forwarder's XPUB, where anyone subscribes;
/// - `busPort + 1`: the forwarder's XSUB, where services publish;
/// - `busPort + 2` and up: each service's ROUTER socket (replay, commands, queries), in the order
///   gateway, ingest, reporting, notifications, pickup-validator, then matcher workers 0, 1, 2, …
///
/// On one host every endpoint is on `host`. Across hosts, `peers` says where each process is
/// reached, `advertiseHost` where this one is (it defaults to what `peers` says of it), and
/// `bindHost` what it binds on (`0.0.0.0` in a container, whose reachable name is not its own).
public struct BusTopology: Sendable, Equatable {
    /// The forwarder's host, and every process's when `peers` does not name it.
    public var host: String
    public var busPort: Int
    public var peers: PeerHosts
    /// The host this process announces (in its heartbeats' replay endpoint) instead of what `peers` says.
    public var advertiseHost: String?
    /// The address this process binds its sockets on, when it is not the one it is reached at.
    public var bindHost: String?

    public init(host: String = "127.0.0.1", busPort: Int, peers: PeerHosts = PeerHosts(), advertiseHost: String? = nil, bindHost: String? = nil) {
        self.host = host
        self.busPort = busPort
        self.peers = peers
        self.advertiseHost = advertiseHost
        self.bindHost = bindHost
    }

    /// The host other processes reach `instance` at.
    public func host(of instance: ServiceInstance) -> String { peers.host(of: instance) ?? host }

    /// The endpoint `instance` binds its ROUTER on (this process's own instance).
    public func routerBindEndpoint(of instance: ServiceInstance) -> String {
        "tcp://\(bindHost ?? advertiseHost ?? host(of: instance)):\(routerPort(of: instance))"
    }

    /// The ROUTER endpoint `instance` announces for itself: its advertised host, else where the others reach it.
    public func routerAdvertisedEndpoint(of instance: ServiceInstance) -> String {
        "tcp://\(advertiseHost ?? host(of: instance)):\(routerPort(of: instance))"
    }

    /// The forwarder's XPUB endpoint as the forwarder binds it.
    public var subscribeBindEndpoint: String { "tcp://\(bindHost ?? host):\(busPort)" }
    /// The forwarder's XSUB endpoint as the forwarder binds it.
    public var publishBindEndpoint: String { "tcp://\(bindHost ?? host):\(busPort + 1)" }

    /// Whether every address of the topology is on this machine (then the bus needs no keys).
    public var isLoopback: Bool {
        [host, advertiseHost, bindHost].compactMap { $0 }.allSatisfy(Self.isLoopback) && peers.isLoopback
    }

    /// The forwarder's XPUB endpoint: subscribers connect here.
    public var subscribeEndpoint: String { "tcp://\(host):\(busPort)" }
    /// The forwarder's XSUB endpoint: publishers connect here.
    public var publishEndpoint: String { "tcp://\(host):\(busPort + 1)" }

    /// The port of an instance's ROUTER socket.
    public func routerPort(of instance: ServiceInstance) -> Int {
        let offset: Int
        switch instance.kind {
        case .gateway: offset = 2
        case .ingest: offset = 3
        case .reporting: offset = 4
        case .notifications: offset = 5
        case .pickupValidator: offset = 6
        case .matcher: offset = 7 + (instance.index ?? 0)
        }
        return busPort + offset
    }

    /// The endpoint others connect to `instance`'s ROUTER at.
    public func routerEndpoint(of instance: ServiceInstance) -> String {
        "tcp://\(host(of: instance)):\(routerPort(of: instance))"
    }

    /// Whether `host` is this machine only (127.0.0.0/8, ::1, localhost): a bus bound there needs no keys.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The single instances plus `matchers` matcher workers.
    public static func instances(matchers: Int) -> [ServiceInstance] {
        ServiceKind.allCases.filter { $0 != .matcher }.map { ServiceInstance($0) }
            + (0..<max(matchers, 0)).map { ServiceInstance(.matcher, index: $0) }
    }
}
