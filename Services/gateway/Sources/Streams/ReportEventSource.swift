import EcoBus
import EcoConfig
import Foundation

/// Where report streams read from: ingest's sequenced `report.*` events after a position, in order.
public protocol ReportEventSource: Sendable {
    func events(after sequence: Int64) async throws -> ReportEventPage
    /// The producer's latest sequence: where a stream with nothing to resume from starts.
    func latest() async throws -> Int64
}

/// A page of report events and how far the producer's stream was scanned.
public struct ReportEventPage: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        /// Ingest's sequence number: the SSE `id`, and the position a client resumes from.
        public var sequence: Int64
        public var type: String
        /// The jurisdiction the report belongs to after this event; nil while in the admin queue.
        public var jurisdictionId: String?
        /// On `report.routed`, the jurisdiction it was taken from.
        public var previousJurisdictionId: String?
        /// The CloudEvent as ingest published it.
        public var json: String
        public init(sequence: Int64, type: String, jurisdictionId: String?, previousJurisdictionId: String? = nil, json: String) {
            self.sequence = sequence; self.type = type; self.jurisdictionId = jurisdictionId
            self.previousJurisdictionId = previousJurisdictionId; self.json = json
        }
    }

    public var events: [Event]
    /// The last sequence the page covers, report event or not.
    public var through: Int64
    /// The producer's latest sequence: more to read while `through < latest`.
    public var latest: Int64
    public init(events: [Event], through: Int64, latest: Int64) { self.events = events; self.through = through; self.latest = latest }
}

/// Reads report events from ingest's outbox with the bus replay request (`prefixes: ["report."]`).
public struct BusReportEventSource: ReportEventSource {
    let loop: SocketLoop
    let endpoint: String

    public init(loop: SocketLoop, endpoint: String) {
        self.loop = loop
        self.endpoint = endpoint
    }

    struct Shape: Decodable {
        struct Payload: Decodable {
            struct Report: Decodable { var jurisdictionId: String? }
            var report: Report?
            var previousJurisdictionId: String?
        }
        var type: String
        var sequence: Int64?
        var data: Payload?
    }

    public func latest() async throws -> Int64 {
        try await page(ReplayRequest(from: 1, limit: 1, prefixes: ["report."])).latest
    }

    public func events(after sequence: Int64) async throws -> ReportEventPage {
        try await page(ReplayRequest(from: sequence + 1, limit: 500, prefixes: ["report."]))
    }

    func page(_ replay: ReplayRequest) async throws -> ReportEventPage {
        let request = try EventCodec.encoder.encode(replay)
        let frames = try await loop.request(endpoint, kind: BusRequestKind.replay, body: [request], timeout: .seconds(5))
        guard let first = frames.first else { throw BusRequestError.malformedReply("an empty replay reply") }
        let reply = try EventCodec.decoder.decode(ReplayReply.self, from: first)
        let events = try frames.dropFirst().map { frame -> ReportEventPage.Event in
            let shape = try EventCodec.decoder.decode(Shape.self, from: frame)
            return ReportEventPage.Event(
                sequence: shape.sequence ?? 0, type: shape.type, jurisdictionId: shape.data?.report?.jurisdictionId,
                previousJurisdictionId: shape.data?.previousJurisdictionId, json: String(decoding: frame, as: UTF8.self))
        }
        return ReportEventPage(events: events, through: reply.through, latest: reply.latest)
    }
}
