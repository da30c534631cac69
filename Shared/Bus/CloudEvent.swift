import Foundation

/// A CloudEvents 1.0 event in structured JSON mode, with the project's extensions:
/// `sequence` (gapless per producer), `correlationid` and `causationid`.
/// `sequence` is a JSON integer rather than the string of the optional CloudEvents sequence
/// extension, so that consumers compare it numerically (see docs/decisions/0002).
public struct CloudEvent<Payload: Codable & Sendable>: Codable, Sendable {
    public var specversion: String
    public var id: String
    public var source: String
    public var type: String
    public var time: String
    public var datacontenttype: String?
    public var sequence: Int64?
    public var correlationid: String?
    public var causationid: String?
    public var data: Payload

    public init(
        id: String = UUID().uuidString.lowercased(),
        source: String,
        type: String,
        time: Date = Date(),
        sequence: Int64?,
        correlationid: String? = nil,
        causationid: String? = nil,
        data: Payload
    ) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.time = EventTime.format(time)
        self.datacontenttype = "application/json"
        self.sequence = sequence
        self.correlationid = correlationid
        self.causationid = causationid
        self.data = data
    }
}

/// The attributes of an event without its data: enough to route, order and deduplicate it.
public struct EventEnvelope: Codable, Sendable, Equatable {
    public var specversion: String
    public var id: String
    public var source: String
    public var type: String
    public var time: String?
    public var sequence: Int64?
    public var correlationid: String?
    public var causationid: String?
}

/// An event as received: its envelope plus the exact bytes, so handlers decode `data` into their own type.
public struct ReceivedEvent: Sendable {
    public let envelope: EventEnvelope
    public let payload: Data

    public init(envelope: EventEnvelope, payload: Data) {
        self.envelope = envelope
        self.payload = payload
    }

    /// The producer and its sequence number (nil for unsequenced events such as heartbeats).
    public var source: String { envelope.source }
    public var sequence: Int64? { envelope.sequence }
    public var type: String { envelope.type }

    /// Decodes the event's `data` as `T`.
    public func decodeData<T: Codable & Sendable>(_ type: T.Type) throws -> T {
        try EventCodec.decoder.decode(CloudEvent<T>.self, from: payload).data
    }
}

/// RFC 3339 timestamps with milliseconds, in UTC.
public enum EventTime {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public static func format(_ date: Date) -> String { date.formatted(style) }
    public static func parse(_ text: String) -> Date? { try? style.parse(text) }
}

/// The JSON coders for bus messages.
public enum EventCodec {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static var decoder: JSONDecoder { JSONDecoder() }
}
