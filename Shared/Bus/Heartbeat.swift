/// The data of a `bus.heartbeat` event: a producer's latest committed sequence and where to ask for replay.
public struct Heartbeat: Codable, Sendable, Equatable {
    /// The highest sequence the producer has committed to its outbox (0 when it has none).
    public var latest: Int64
    /// The producer's ROUTER endpoint, which answers replay requests.
    public var replay: String
    /// The service kind of the producer, e.g. `ingest` for `source` `ingest`, `matcher` for `matcher-2`.
    public var service: String

    public init(latest: Int64, replay: String, service: String) {
        self.latest = latest
        self.replay = replay
        self.service = service
    }
}
