import Synchronization

/// Commit instants by sequence on the producer side, and commit-to-apply latencies on the consumer side.
final class LatencySamples: Sendable {
    private struct State {
        var committedAt: [ContinuousClock.Instant?]
        var latencies: [Duration] = []
        var applied = 0
        var lastApplied: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    init(capacity: Int) {
        state = Mutex(State(committedAt: Array(repeating: nil, count: capacity + 1)))
    }

    func committed(sequences: ClosedRange<Int64>, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            for sequence in sequences where Int(sequence) < state.committedAt.count {
                state.committedAt[Int(sequence)] = instant
            }
        }
    }

    func applied(sequences: [Int64], at instant: ContinuousClock.Instant) {
        state.withLock { state in
            for sequence in sequences {
                state.applied += 1
                guard Int(sequence) < state.committedAt.count, let committed = state.committedAt[Int(sequence)] else { continue }
                state.latencies.append(committed.duration(to: instant))
            }
            state.lastApplied = instant
        }
    }

    var appliedCount: Int { state.withLock { $0.applied } }
    var lastApplied: ContinuousClock.Instant? { state.withLock { $0.lastApplied } }

    /// The latency at quantile `q` (0...1), in milliseconds.
    func percentile(_ q: Double) -> Double {
        let sorted = state.withLock { $0.latencies }.sorted()
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))
        return sorted[index].milliseconds
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    var seconds: Double { milliseconds / 1000 }
}
