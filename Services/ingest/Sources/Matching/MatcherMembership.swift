import EcoBus
import EcoConfig
import Foundation

/// Which matcher workers are alive, from their heartbeats as this process saw them: the members a
/// `matching.tick` names (docs/decisions/0016). A worker is a member while its heartbeat (one a
/// second) arrived within `window`; one that stops for longer leaves, and its parts go to the others.
public struct MatcherMembership: Sendable {
    public static let defaultWindow: TimeInterval = 5
    let directory: ProducerDirectory
    let window: TimeInterval

    public init(directory: ProducerDirectory, window: TimeInterval = MatcherMembership.defaultWindow) {
        self.directory = directory
        self.window = window
    }

    /// The numbers of the workers alive now, in order.
    public func alive(now: Date = Date()) -> [Int] {
        directory.alive(within: window, now: now).keys.compactMap { name in
            guard let instance = ServiceInstance(name: name), instance.kind == .matcher else { return nil }
            return instance.index
        }.sorted()
    }
}
