import Metrics
import Synchronization

/// A snapshot of one process's bus counters, as sent to the gateway for `/metrics`.
public struct BusStatsSnapshot: Codable, Sendable, Equatable {
    public var instance: String
    public var published: UInt64 = 0
    public var delivered: UInt64 = 0
    public var replayed: UInt64 = 0
    public var replayServed: UInt64 = 0
    public var duplicatesSkipped: UInt64 = 0
    public var deadLettered: UInt64 = 0
    /// Events known to exist (from heartbeats and live traffic) and not yet applied, per producer.
    public var lag: [String: Int64] = [:]

    public init(instance: String) { self.instance = instance }

    public var totalLag: Int64 { lag.values.reduce(0, +) }
}

/// The bus counters of one process: kept for the gateway's `/metrics` and mirrored to swift-metrics.
public final class BusStats: Sendable {
    private let snapshotState: Mutex<BusStatsSnapshot>
    private let published = Counter(label: "bus_published_total")
    private let delivered = Counter(label: "bus_delivered_total")
    private let replayed = Counter(label: "bus_replayed_total")
    private let replayServed = Counter(label: "bus_replay_served_total")
    private let duplicates = Counter(label: "bus_duplicates_skipped_total")
    private let deadLettered = Counter(label: "bus_dead_lettered_total")
    private let lagGauge = Gauge(label: "bus_consumer_lag")

    public init(instance: String) {
        snapshotState = Mutex(BusStatsSnapshot(instance: instance))
    }

    public var snapshot: BusStatsSnapshot { snapshotState.withLock { $0 } }

    public func recordPublished(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.published += UInt64(count) }
        published.increment(by: count)
    }

    public func recordDelivered(_ count: Int, replayed replayedCount: Int) {
        snapshotState.withLock {
            $0.delivered += UInt64(count)
            $0.replayed += UInt64(replayedCount)
        }
        if count > 0 { delivered.increment(by: count) }
        if replayedCount > 0 { replayed.increment(by: replayedCount) }
    }

    public func recordReplayServed(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.replayServed += UInt64(count) }
        replayServed.increment(by: count)
    }

    public func recordDuplicates(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.duplicatesSkipped += UInt64(count) }
        duplicates.increment(by: count)
    }

    public func recordDeadLettered(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.deadLettered += UInt64(count) }
        deadLettered.increment(by: count)
    }

    public func recordLag(_ lag: [String: Int64]) {
        let total = snapshotState.withLock { state -> Int64 in
            state.lag = lag
            return state.totalLag
        }
        lagGauge.record(total)
    }
}
