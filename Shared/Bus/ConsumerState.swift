import Foundation

/// Per-producer ordering, deduplication and gap tracking of one consumer. Pure logic, no I/O:
/// the consumer feeds it what arrives and applies what it releases, in order.
///
/// For each producer it knows `applied` (committed offset) and `expected` (the next sequence it
/// will release). Older sequences are duplicates; newer ones wait in a bounded buffer while a
/// replay from `expected` is asked for.
public struct ConsumerState: Sendable {
    public struct Producer: Sendable, Equatable {
        public var applied: Int64 = 0
        public var expected: Int64 = 1
        public var latestKnown: Int64 = 0
        public var endpoint: String?
        public var service: String?
        public var needsReplay = false
        public var replayInFlight = false
        /// `expected` when the previous heartbeat arrived; nil before the first heartbeat.
        public var expectedAtLastHeartbeat: Int64?
        public var lastHeartbeat: Date?
        var buffered: [Int64: ReceivedEvent] = [:]

        public var lag: Int64 { max(0, latestKnown - applied) }
        public var bufferedCount: Int { buffered.count }

        public static func == (lhs: Producer, rhs: Producer) -> Bool {
            lhs.applied == rhs.applied && lhs.expected == rhs.expected && lhs.latestKnown == rhs.latestKnown
                && lhs.endpoint == rhs.endpoint && lhs.needsReplay == rhs.needsReplay
                && lhs.replayInFlight == rhs.replayInFlight && Set(lhs.buffered.keys) == Set(rhs.buffered.keys)
        }
    }

    /// A replay to ask for.
    public struct ReplayAsk: Sendable, Equatable {
        public let producer: String
        public let endpoint: String
        public let from: Int64
    }

    public private(set) var producers: [String: Producer] = [:]
    public let bufferLimit: Int

    public init(bufferLimit: Int = 10_000) {
        self.bufferLimit = bufferLimit
    }

    /// Restores a producer's committed offset and endpoint at start; a replay is asked for at once.
    public mutating func restore(producer: String, applied: Int64, endpoint: String?, service: String?, latest: Int64) {
        var state = producers[producer] ?? Producer()
        state.applied = applied
        state.expected = applied + 1
        state.latestKnown = max(latest, applied)
        state.endpoint = endpoint ?? state.endpoint
        state.service = service ?? state.service
        state.needsReplay = true
        producers[producer] = state
    }

    /// Takes an event; returns the events now ready to apply in order and how many were duplicates.
    public mutating func accept(_ event: ReceivedEvent) -> (ready: [ReceivedEvent], duplicates: Int) {
        guard let sequence = event.sequence else { return ([], 0) }
        var state = producers[event.source] ?? Producer()
        defer { producers[event.source] = state }
        state.latestKnown = max(state.latestKnown, sequence)
        if sequence < state.expected { return ([], 1) }
        if sequence > state.expected {
            if state.buffered[sequence] != nil { return ([], 1) }
            if state.buffered.count < bufferLimit { state.buffered[sequence] = event }
            state.needsReplay = true
            return ([], 0)
        }
        var ready = [event]
        state.expected += 1
        while let next = state.buffered.removeValue(forKey: state.expected) {
            ready.append(next)
            state.expected += 1
        }
        if !state.buffered.isEmpty {
            state.buffered = state.buffered.filter { $0.key > state.expected }
            if !state.buffered.isEmpty { state.needsReplay = true }
        }
        return (ready, 0)
    }

    /// Takes a heartbeat. A producer that shows events we lack, and made no progress since the
    /// previous heartbeat (or this is the first one we see), is marked for replay.
    /// Returns true when the producer's endpoint or service changed (worth persisting).
    @discardableResult
    public mutating func heartbeat(from producer: String, _ heartbeat: Heartbeat, at now: Date = Date()) -> Bool {
        var state = producers[producer] ?? Producer()
        defer { producers[producer] = state }
        let changed = state.endpoint != heartbeat.replay || state.service != heartbeat.service
        state.endpoint = heartbeat.replay
        state.service = heartbeat.service
        state.latestKnown = max(state.latestKnown, heartbeat.latest)
        state.lastHeartbeat = now
        if heartbeat.latest >= state.expected,
           state.expectedAtLastHeartbeat == nil || state.expectedAtLastHeartbeat == state.expected {
            state.needsReplay = true
        }
        state.expectedAtLastHeartbeat = state.expected
        return changed
    }

    /// The replays to start now; each producer has at most one in flight.
    public mutating func takeReplayAsks() -> [ReplayAsk] {
        var asks: [ReplayAsk] = []
        for (name, state) in producers where state.needsReplay && !state.replayInFlight {
            guard let endpoint = state.endpoint else { continue }
            producers[name]?.needsReplay = false
            producers[name]?.replayInFlight = true
            asks.append(ReplayAsk(producer: name, endpoint: endpoint, from: state.expected))
        }
        return asks.sorted { $0.producer < $1.producer }
    }

    /// A replay reply was handled: its events went through `accept` first. Sequences up to `through`
    /// that neither arrived nor were buffered are gone from the producer (its outbox was pruned):
    /// they are skipped, and what was buffered behind them is released.
    ///
    /// Another replay follows when the producer has more and either a gap remains or this reply
    /// brought events live delivery had not (the consumer is catching up on history). A reply of
    /// nothing but duplicates means live delivery is ahead, so no further replay is chained.
    public mutating func replayFinished(
        producer: String, through: Int64, latest: Int64, broughtNew: Bool = true
    ) -> (ready: [ReceivedEvent], skipped: Int64) {
        guard var state = producers[producer] else { return ([], 0) }
        defer { producers[producer] = state }
        state.replayInFlight = false
        state.latestKnown = max(state.latestKnown, latest)
        var ready: [ReceivedEvent] = []
        var skipped: Int64 = 0
        while state.expected <= through {
            if let next = state.buffered.removeValue(forKey: state.expected) {
                ready.append(next)
                state.expected += 1
                continue
            }
            let nextBuffered = state.buffered.keys.filter { $0 > state.expected && $0 <= through }.min()
            let resume = nextBuffered ?? (through + 1)
            skipped += resume - state.expected
            state.expected = resume
        }
        while let next = state.buffered.removeValue(forKey: state.expected) {
            ready.append(next)
            state.expected += 1
        }
        if state.expected <= latest, broughtNew || !state.buffered.isEmpty || skipped > 0 { state.needsReplay = true }
        return (ready, skipped)
    }

    /// A replay request failed; the next heartbeat will ask again.
    public mutating func replayFailed(producer: String) {
        producers[producer]?.replayInFlight = false
    }

    /// Everything released so far is committed.
    public mutating func committed() {
        for name in Array(producers.keys) {
            guard var state = producers[name] else { continue }
            state.applied = state.expected - 1
            producers[name] = state
        }
    }

    /// The batch transaction failed: forget what was released but not committed, and replay it.
    public mutating func rolledBack() {
        for name in Array(producers.keys) {
            guard var state = producers[name], state.expected - 1 != state.applied else { continue }
            state.expected = state.applied + 1
            state.buffered.removeAll()
            state.needsReplay = true
            producers[name] = state
        }
    }

    /// Each producer's lag: known events not yet applied.
    public var lag: [String: Int64] { producers.mapValues(\.lag) }
}
