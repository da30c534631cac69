import EcoBus
import EcoModel
import Foundation

/// The bus frame and CloudEvent decoder: what every consumer runs on every message it receives.
/// Input: frames separated by the byte 0x1E. Whatever arrives is either an event with a positive
/// sequence whose type is its topic, a heartbeat, or a dead letter; never a crash.
enum BusFrameTarget {
    /// The target, as `FuzzTargets.all` lists it.
    static let target = FuzzTarget(name: "bus-frame", about: "bus frames and CloudEvent JSON (InboundMessage.decode)") { data in
        let frames = data.split(separator: 0x1E, omittingEmptySubsequences: false).map { Data($0) }
        check(InboundMessage.decode(frames), topic: frames.first.flatMap { String(data: $0, encoding: .utf8) })
        check(InboundMessage.decodeEvent(data, expectedType: nil), topic: nil)
    }

    private static func check(_ message: InboundMessage, topic: String?) {
        switch message {
        case .event(let event):
            FuzzCheck.require((event.sequence ?? 0) > 0, "an accepted event has a positive sequence")
            FuzzCheck.require(!event.source.isEmpty && !event.envelope.id.isEmpty, "an accepted event has an id and a source")
            if let topic { FuzzCheck.require(event.type == topic, "an accepted event's type is its topic") }
            // Handlers decode the data into their own types; a failure there is a dead letter, not a crash.
            // Decoding the `data` member alone agrees with decoding the whole event.
            agrees(event, ReportChanged.self)
            agrees(event, ReservationChanged.self)
            agrees(event, OperationCompleted.self)
            spanIsTheDataMember(event.payload)
        case .heartbeat(let source, _, _):
            FuzzCheck.require(!source.isEmpty, "a heartbeat names its source")
        case .invalid(let reason, _):
            FuzzCheck.require(!reason.description.isEmpty, "a dead letter says why")
        }
    }

    private static func agrees<T: Codable & Sendable & Equatable>(_ event: ReceivedEvent, _ type: T.Type) {
        let alone = try? event.decodeData(T.self)
        guard let whole = try? EventCodec.decoder.decode(CloudEvent<T>.self, from: event.payload).data else { return }
        FuzzCheck.require(alone == whole, "the data member decodes as the whole event's data")
    }

    /// Where `JSONMemberSpan` finds `data`, its bytes parse to the value the whole object holds there.
    private static func spanIsTheDataMember(_ payload: Data) {
        guard let span = JSONMemberSpan.bytes(of: "data", in: payload) else { return }
        guard let object = try? JSONSerialization.jsonObject(with: payload) as? NSDictionary, let whole = object["data"] else { return }
        let alone = try? JSONSerialization.jsonObject(with: span, options: .fragmentsAllowed)
        FuzzCheck.require((alone as? NSObject)?.isEqual(whole) == true, "the span of data is the data member")
    }
}
