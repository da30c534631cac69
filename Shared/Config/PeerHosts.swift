import Foundation

/// Where each process of a deployment spread over several hosts is reached (`--peer-hosts`): a
/// comma-separated list of `instance=host` entries, and `*=template` for every other instance. A
/// template may use `{name}` (`ingest`, `matcher-1`), `{kind}` (`ingest`, `matcher`) and `{index}`
/// (the worker's number, 0 for the single services). Kubernetes' StatefulSets give each pod
/// `{kind}-{index}.{kind}`; compose's services are reached by `{name}`.
public struct PeerHosts: Sendable, Equatable {
    public private(set) var hosts: [String: String]
    public private(set) var template: String?

    public init(hosts: [String: String] = [:], template: String? = nil) {
        self.hosts = hosts
        self.template = template
    }

    /// Parses `--peer-hosts`; the error says which entry is wrong and why.
    public static func parse(_ text: String) throws(ConfigError) -> PeerHosts {
        var peers = PeerHosts()
        for entry in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigError(setting: "peer-hosts", value: entry, reason: "each entry is instance=host, or *=template")
            }
            let (name, host) = (parts[0], parts[1])
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || "-.:[]{}_".contains($0) }) else {
                throw ConfigError(setting: "peer-hosts", value: entry, reason: "a host has letters, digits, '-', '.', ':' and brackets only")
            }
            let placeholders = ["{name}", "{kind}", "{index}"]
            var bare = host
            for placeholder in placeholders { bare = bare.replacingOccurrences(of: placeholder, with: "") }
            guard !bare.contains("{"), !bare.contains("}") else {
                throw ConfigError(setting: "peer-hosts", value: entry, reason: "a template uses {name}, {kind} and {index} only")
            }
            if name == "*" {
                guard peers.template == nil else { throw ConfigError(setting: "peer-hosts", value: entry, reason: "only one *=template") }
                peers.template = host
            } else {
                guard ServiceInstance(name: name) != nil else {
                    throw ConfigError(setting: "peer-hosts", value: entry, reason: "\(name) is not an instance: use gateway, ingest, reporting, notifications, pickup-validator or matcher-N")
                }
                guard host == bare else { throw ConfigError(setting: "peer-hosts", value: entry, reason: "placeholders go in the *=template only") }
                guard peers.hosts.updateValue(host, forKey: name) == nil else {
                    throw ConfigError(setting: "peer-hosts", value: entry, reason: "\(name) is given twice")
                }
            }
        }
        return peers
    }

    /// The host `instance` is reached at, or nil when the list does not say (then: the bus host).
    public func host(of instance: ServiceInstance) -> String? {
        if let host = hosts[instance.name] { return host }
        return template.map {
            $0.replacingOccurrences(of: "{name}", with: instance.name)
                .replacingOccurrences(of: "{kind}", with: instance.kind.rawValue)
                .replacingOccurrences(of: "{index}", with: "\(instance.index ?? 0)")
        }
    }

    /// Whether every host the list names is on this machine.
    public var isLoopback: Bool { template == nil && hosts.values.allSatisfy(BusTopology.isLoopback) }
}
