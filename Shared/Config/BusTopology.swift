/// Where each process of one deployment listens, all derived from the bus port:
/// - `busPort`: the forwarder's XPUB, where anyone subscribes;
/// - `busPort + 1`: the forwarder's XSUB, where services publish;
/// - `busPort + 2` and up: each service's ROUTER socket (replay, commands, queries), in the order
///   gateway, ingest, reporting, notifications, pickup-validator, then matcher workers 0, 1, 2, …
public struct BusTopology: Sendable, Equatable {
    public var host: String
    public var busPort: Int

    public init(host: String = "127.0.0.1", busPort: Int) {
        self.host = host
        self.busPort = busPort
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

    /// The endpoint an instance binds its ROUTER on, and others connect to.
    public func routerEndpoint(of instance: ServiceInstance) -> String {
        "tcp://\(host):\(routerPort(of: instance))"
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
