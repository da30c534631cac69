import Foundation
import Synchronization

/// What a process has seen of each producer on the bus, from heartbeats: for readiness checks and
/// for finding replay endpoints.
public final class ProducerDirectory: Sendable {
    /// Heartbeats further apart than this break a producer's run of them (`Entry.heardSince`),
    /// measured on the producer's clock when both say when they were sent: a reader that stalls
    /// (a long commit) and then reads queued heartbeats does not break anyone's run.
    public static let streakGap: TimeInterval = 5

    public struct Entry: Sendable, Equatable {
        public var service: String
        public var endpoint: String
        public var latest: Int64
        public var lastSeen: Date
        /// When the current unbroken run of this producer's heartbeats began: none of them came more
        /// than `streakGap` after the one before.
        public var heardSince: Date
        /// When the producer sent its latest heartbeat, by its own clock; nil if it did not say.
        public var lastSent: Date?
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Records a heartbeat read at `date`; `sentAt` is the time its producer wrote in it.
    public func record(source: String, _ heartbeat: Heartbeat, sentAt: Date? = nil, at date: Date = Date()) {
        entries.withLock {
            var since = date
            if let previous = $0[source] {
                let gap = if let sentAt, let lastSent = previous.lastSent { sentAt.timeIntervalSince(lastSent) } else { date.timeIntervalSince(previous.lastSeen) }
                if gap <= Self.streakGap { since = min(previous.heardSince, date) }
            }
            $0[source] = Entry(
                service: heartbeat.service, endpoint: heartbeat.replay, latest: heartbeat.latest, lastSeen: date, heardSince: since, lastSent: sentAt)
        }
    }

    public var snapshot: [String: Entry] { entries.withLock { $0 } }

    /// Producers whose heartbeat arrived within `window` of `now`.
    public func alive(within window: TimeInterval, now: Date = Date()) -> [String: Entry] {
        snapshot.filter { now.timeIntervalSince($0.value.lastSeen) <= window }
    }
}
