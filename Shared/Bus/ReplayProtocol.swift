import Foundation

/// Request kinds every service answers on its ROUTER socket.
public enum BusRequestKind {
    /// "Events of yours from sequence N": body one `ReplayRequest` JSON frame; reply `[ReplayReply JSON, event…]`.
    public static let replay = "bus.replay"
    /// The process's bus counters: reply one `BusStatsSnapshot` JSON frame.
    public static let stats = "bus.stats"
    /// Liveness: reply one frame, the instance name.
    public static let ping = "bus.ping"
    /// The process's own metrics (swift-metrics): reply one frame, Prometheus text, unlabelled.
    public static let metrics = "bus.metrics"
}

/// Asks a producer for its events from `from` on, at most `limit` of them (capped at `ReplayRequest.maximumLimit`).
/// With `prefixes`, only events whose topic starts with one of them are returned; `through` in the
/// reply still says how far the producer's sequence was scanned, so the asker knows where to continue.
/// With `partitions`, only the events of those parts (`partitionkey`) and the events of no part.
public struct ReplayRequest: Codable, Sendable, Equatable {
    public static let maximumLimit = 1000
    /// The most parts one request may name.
    public static let maximumPartitions = 500

    public var from: Int64
    public var limit: Int?
    public var prefixes: [String]?
    public var partitions: [String]?

    public init(from: Int64, limit: Int? = nil, prefixes: [String]? = nil, partitions: [String]? = nil) {
        self.from = from
        self.limit = limit
        self.prefixes = prefixes
        self.partitions = partitions
    }
}

/// The first frame of a replay reply; the events follow, one CloudEvent JSON frame each.
public struct ReplayReply: Codable, Sendable, Equatable {
    /// The producer's latest committed sequence.
    public var latest: Int64
    /// The highest sequence this reply covers (scanned, whether or not it matched the prefixes).
    public var through: Int64
    public var producer: String
    /// Below this sequence, events may be missing: superseded by later events of the same thing,
    /// or expired with their stream (outbox retention, decisions 0011 and 0014); absent when nothing went.
    public var compactedBelow: Int64?

    public init(latest: Int64, through: Int64, producer: String, compactedBelow: Int64? = nil) {
        self.latest = latest
        self.through = through
        self.producer = producer
        self.compactedBelow = compactedBelow
    }
}
