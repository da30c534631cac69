import Foundation

/// A CloudEvents 1.0 event in structured JSON mode, with the project's extensions:
/// `sequence` (gapless per producer), `correlationid` and `causationid`, and the CloudEvents
/// Partitioning extension's `partitionkey` where an event belongs to one part of a divided stream
/// (the materials market's parts, docs/decisions/0016), and the CloudEvents Distributed Tracing
/// extension's `traceparent` on the events a traced command caused (docs/decisions/0018).
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
    public var partitionkey: String?
    /// W3C `traceparent` of the request or event that caused this one (`TraceContext`).
    public var traceparent: String?
    public var data: Payload

    public init(
        id: String = UUID().uuidString.lowercased(),
        source: String,
        type: String,
        time: Date = Date(),
        sequence: Int64?,
        correlationid: String? = nil,
        causationid: String? = nil,
        partitionkey: String? = nil,
        traceparent: String? = nil,
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
        self.partitionkey = partitionkey
        self.traceparent = traceparent
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
    public var partitionkey: String?
    public var traceparent: String?
}

extension EventEnvelope {
    /// The attributes of the event `payload`. Its `data` value is stepped over (`JSONMemberSpan`)
    /// and read as `null`, so that data which only its consumer decodes is not parsed here; a
    /// consumer that cannot decode it dead-letters the event. A payload whose `data` cannot be
    /// told apart is decoded whole.
    public static func decode(from payload: Data) throws -> EventEnvelope {
        guard let data = JSONMemberSpan.value(of: "data", in: payload) else {
            return try EventCodec.decoder.decode(EventEnvelope.self, from: payload)
        }
        var attributes = Data(capacity: payload.count - data.count + 4)
        attributes.append(payload[payload.startIndex..<data.lowerBound])
        attributes.append(contentsOf: "null".utf8)
        attributes.append(payload[data.upperBound..<payload.endIndex])
        return try EventCodec.decoder.decode(EventEnvelope.self, from: attributes)
    }
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
    /// The part of a divided stream the event belongs to, if any (`partitionkey`).
    public var partitionKey: String? { envelope.partitionkey }
    /// The trace of the command that caused the event, if it was traced and its `traceparent` is valid.
    public var trace: TraceContext? { envelope.traceparent.flatMap(TraceContext.init(traceparent:)) }

    /// Decodes the event's `data` as `T`: the `data` member alone when it can be found
    /// (`JSONMemberSpan`), the whole event otherwise, and the whole event again on a failure, so
    /// that an error names its path from the event's top.
    public func decodeData<T: Codable & Sendable>(_ type: T.Type) throws -> T {
        if let data = dataSpan, let value = try? EventCodec.decoder.decode(T.self, from: payload[data]) { return value }
        return try EventCodec.decoder.decode(CloudEvent<T>.self, from: payload).data
    }

    /// The bytes of the event's `data` member, exactly as the producer wrote them; nil if they
    /// cannot be told apart without a full decode.
    public var dataBytes: Data? { dataSpan.map { Data(payload[$0]) } }

    private var dataSpan: Range<Data.Index>? { JSONMemberSpan.value(of: "data", in: payload) }
}

/// RFC 3339 timestamps with milliseconds, in UTC, e.g. `2026-11-22T22:12:40.123Z`.
public enum EventTime {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Formats by hand: this runs once per event on the hot path, where `String(format:)` and
    /// Foundation's format styles cost several microseconds each.
    public static func format(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMilliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var milliseconds = Int(totalMilliseconds % 1000)
        if milliseconds < 0 {  // before 1970
            milliseconds += 1000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, at: 0, digits: 4)
        bytes[4] = UInt8(ascii: "-")
        put(Int(parts.tm_mon) + 1, at: 5, digits: 2)
        bytes[7] = UInt8(ascii: "-")
        put(Int(parts.tm_mday), at: 8, digits: 2)
        bytes[10] = UInt8(ascii: "T")
        put(Int(parts.tm_hour), at: 11, digits: 2)
        bytes[13] = UInt8(ascii: ":")
        put(Int(parts.tm_min), at: 14, digits: 2)
        bytes[16] = UInt8(ascii: ":")
        put(Int(parts.tm_sec), at: 17, digits: 2)
        bytes[19] = UInt8(ascii: ".")
        put(milliseconds, at: 20, digits: 3)
        bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func parse(_ text: String) -> Date? { try? style.parse(text) }
}

/// The JSON coders for bus messages. Both are thread-safe and shared.
public enum EventCodec {
    /// Dates in event data are ISO 8601 strings (`2026-11-22T10:00:00Z`).
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
