import EcoBus
import EcoConfig
import Foundation

/// Whether the gateway can serve: its own heartbeat came back through the forwarder (the bus is
/// up), and every service it needs sent a heartbeat recently.
public struct Readiness: Sendable {
    /// A heartbeat older than this counts as missing (three heartbeat intervals).
    public static let window: TimeInterval = 3

    public struct Report: Codable, Sendable, Equatable {
        public var ready: Bool
        public var checks: [String: Bool]
    }

    public let gatewayInstance: String
    public let required: [ServiceKind]

    public init(gatewayInstance: String, required: [ServiceKind] = [.ingest, .matcher, .reporting, .notifications, .pickupValidator]) {
        self.gatewayInstance = gatewayInstance
        self.required = required
    }

    public func evaluate(_ directory: [String: ProducerDirectory.Entry], now: Date = Date()) -> Report {
        let alive = directory.filter { now.timeIntervalSince($0.value.lastSeen) <= Self.window }
        var checks: [String: Bool] = ["bus": alive[gatewayInstance] != nil]
        for kind in required {
            checks[kind.rawValue] = alive.values.contains { $0.service == kind.rawValue }
        }
        return Report(ready: checks.values.allSatisfy { $0 }, checks: checks)
    }
}
