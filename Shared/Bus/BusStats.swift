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

/// The bus counters of one process, which the gateway's `/metrics` renders for every service (`bus.stats`).
public final class BusStats: Sendable {
    private let snapshotState: Mutex<BusStatsSnapshot>

    public init(instance: String) {
        snapshotState = Mutex(BusStatsSnapshot(instance: instance))
    }

    public var snapshot: BusStatsSnapshot { snapshotState.withLock { $0 } }

    public func recordPublished(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.published += UInt64(count) }
    }

    public func recordDelivered(_ count: Int, replayed replayedCount: Int) {
        snapshotState.withLock {
            $0.delivered += UInt64(count)
            $0.replayed += UInt64(replayedCount)
        }
    }

    public func recordReplayServed(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.replayServed += UInt64(count) }
    }

    public func recordDuplicates(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.duplicatesSkipped += UInt64(count) }
    }

    public func recordDeadLettered(_ count: Int) {
        guard count > 0 else { return }
        snapshotState.withLock { $0.deadLettered += UInt64(count) }
    }

    public func recordLag(_ lag: [String: Int64]) {
        snapshotState.withLock { $0.lag = lag }
    }
}
