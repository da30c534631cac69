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
    let started: Date

    public init(directory: ProducerDirectory, window: TimeInterval = MatcherMembership.defaultWindow, started: Date = Date()) {
        self.directory = directory
        self.window = window
        self.started = started
    }

    /// The numbers of the workers alive now, in order; nil while it cannot be said: for one window
    /// after this process started (it has not heard everyone yet), or when no worker is alive. The
    /// clock skips its tick then, rather than move every part to whoever it happened to hear first.
    public func alive(now: Date = Date()) -> [Int]? {
        guard now.timeIntervalSince(started) >= window else { return nil }
        let members = heard(now: now)
        return members.isEmpty ? nil : members
    }

    /// The workers heard within the window, even none; nil for one window after this process started.
    public func settled(now: Date = Date()) -> [Int]? {
        now.timeIntervalSince(started) >= window ? heard(now: now) : nil
    }

    /// The numbers of the workers heard within the window, in order (the gateway asks them for lists).
    public func heard(now: Date = Date()) -> [Int] {
        directory.alive(within: window, now: now).keys.compactMap { name -> Int? in
            guard let instance = ServiceInstance(name: name), instance.kind == .matcher else { return nil }
            return instance.index
        }.sorted()
    }
}
