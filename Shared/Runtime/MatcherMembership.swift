import EcoBus
import EcoConfig
import Foundation

/// Which matcher workers are alive, from their heartbeats as this process saw them: the members a
/// `matching.tick` names (docs/decisions/0016). A worker is a member while its heartbeat (one a
/// second) arrived within `window`; one that stops for longer leaves, and its parts go to the others.
/// A worker that joins, or comes back after leaving, becomes a member only once its heartbeats have
/// run unbroken for `joinAfter`: a worker that stalls on and off is moved away once, not back and forth.
public struct MatcherMembership: Sendable {
    public static let defaultWindow: TimeInterval = 5
    /// How long a joining worker's heartbeats must run unbroken before it is a member.
    public static let defaultJoinAfter: TimeInterval = 10
    let directory: ProducerDirectory
    let window: TimeInterval
    let joinAfter: TimeInterval
    let started: Date

    /// Members from `directory`'s heartbeats: heard within `window`, and joiners once heard unbroken
    /// for `joinAfter`; `started` is when this process started (the first window names nobody).
    public init(
        directory: ProducerDirectory, window: TimeInterval = MatcherMembership.defaultWindow,
        joinAfter: TimeInterval = MatcherMembership.defaultJoinAfter, started: Date = Date()
    ) {
        self.directory = directory
        self.window = window
        self.joinAfter = joinAfter
        self.started = started
    }

    /// The numbers of the members now, in order; nil while it cannot be said: for one window after
    /// this process started (it has not heard everyone yet), or when no worker is a member. The
    /// clock skips its tick then, rather than move every part to whoever it happened to hear first.
    /// A worker heard since this process's first window counts at once: this process cannot tell a
    /// member from before its own start from a joiner.
    public func alive(now: Date = Date()) -> [Int]? {
        guard now.timeIntervalSince(started) >= window else { return nil }
        let settledAt = started.addingTimeInterval(window)
        let members = workers(now: now) { entry in
            entry.heardSince <= settledAt || now.timeIntervalSince(entry.heardSince) >= joinAfter
        }
        return members.isEmpty ? nil : members
    }

    /// The workers heard within the window, even none and joiners; nil for one window after this process started.
    public func settled(now: Date = Date()) -> [Int]? {
        now.timeIntervalSince(started) >= window ? heard(now: now) : nil
    }

    /// The numbers of the workers heard within the window, joiners too, in order (the gateway asks them for lists).
    public func heard(now: Date = Date()) -> [Int] { workers(now: now) { _ in true } }

    private func workers(now: Date, where admitted: (ProducerDirectory.Entry) -> Bool) -> [Int] {
        directory.alive(within: window, now: now).compactMap { name, entry -> Int? in
            guard let instance = ServiceInstance(name: name), instance.kind == .matcher, admitted(entry) else { return nil }
            return instance.index
        }.sorted()
    }
}
