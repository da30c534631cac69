import Foundation

/// A message read from the bus, classified: a sequenced event, a heartbeat, or something unusable.
public enum InboundMessage: Sendable {
    case event(ReceivedEvent)
    /// A producer's heartbeat, with the time its producer wrote in it (nil if unreadable): the
    /// producer's own clock, so gaps between two of its heartbeats do not depend on when they were read.
    case heartbeat(source: String, Heartbeat, sentAt: Date?)
    case invalid(DeadLetterReason, frames: [Data])

    /// The largest event frame accepted from the bus (1 MiB). Larger events are dead-lettered.
    public static let maximumEventSize = 1 << 20

    /// Decodes the two frames of a bus message (topic, CloudEvent JSON).
    public static func decode(_ frames: [Data]) -> InboundMessage {
        guard frames.count == 2 else { return .invalid(.wrongFrameCount(frames.count), frames: frames) }
        guard let topic = String(data: frames[0], encoding: .utf8), Topic.isValid(topic) else {
            return .invalid(.badTopic, frames: frames)
        }
        guard frames[1].count <= maximumEventSize else { return .invalid(.tooLarge(frames[1].count), frames: frames) }
        return decodeEvent(frames[1], expectedType: topic, frames: frames)
    }

    /// Decodes one CloudEvent JSON document, e.g. from a replay reply.
    public static func decodeEvent(_ payload: Data, expectedType: String?, frames: [Data]? = nil) -> InboundMessage {
        let keep = frames ?? [payload]
        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope.decode(from: payload)
        } catch {
            return .invalid(.undecodable(String(describing: error).prefix(300).description), frames: keep)
        }
        guard envelope.specversion == "1.0" else { return .invalid(.unsupportedSpecVersion(envelope.specversion), frames: keep) }
        if let expectedType, envelope.type != expectedType { return .invalid(.topicMismatch, frames: keep) }
        guard !envelope.source.isEmpty, !envelope.id.isEmpty else { return .invalid(.missingAttribute, frames: keep) }
        if envelope.type == Topic.heartbeat {
            do {
                let event = try EventCodec.decoder.decode(CloudEvent<Heartbeat>.self, from: payload)
                return .heartbeat(source: envelope.source, event.data, sentAt: EventTime.parse(event.time))
            } catch {
                return .invalid(.undecodable("heartbeat: \(error)".prefix(300).description), frames: keep)
            }
        }
        guard let sequence = envelope.sequence, sequence > 0 else { return .invalid(.missingSequence, frames: keep) }
        return .event(ReceivedEvent(envelope: envelope, payload: payload))
    }
}

/// Why a message was dead-lettered.
public enum DeadLetterReason: Sendable, Equatable, CustomStringConvertible {
    case wrongFrameCount(Int)
    case badTopic
    case tooLarge(Int)
    case undecodable(String)
    case unsupportedSpecVersion(String)
    case topicMismatch
    case missingAttribute
    case missingSequence
    case handlerRejected(String)

    public var description: String {
        switch self {
        case .wrongFrameCount(let count): "expected 2 frames (topic, event), got \(count)"
        case .badTopic: "topic frame is not a <domain>.<event> name"
        case .tooLarge(let size): "event of \(size) bytes exceeds the 1 MiB limit"
        case .undecodable(let detail): "event is not CloudEvents JSON: \(detail)"
        case .unsupportedSpecVersion(let version): "unsupported CloudEvents specversion \(version)"
        case .topicMismatch: "event type differs from the topic frame"
        case .missingAttribute: "event lacks id or source"
        case .missingSequence: "event lacks a positive sequence"
        case .handlerRejected(let detail): "handler rejected the event: \(detail)"
        }
    }

    /// A short stable code for metrics and queries.
    public var code: String {
        switch self {
        case .wrongFrameCount: "frames"
        case .badTopic: "topic"
        case .tooLarge: "size"
        case .undecodable: "json"
        case .unsupportedSpecVersion: "specversion"
        case .topicMismatch: "type"
        case .missingAttribute: "attribute"
        case .missingSequence: "sequence"
        case .handlerRejected: "handler"
        }
    }
}
