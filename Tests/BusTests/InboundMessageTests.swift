import EcoBus
import EcoModel
import Foundation
import Testing

private struct Pickup: Codable, Sendable, Equatable {
    var code: String
    var kilograms: Int
}

private func frames(topic: String = "pickup.validated", _ json: String) -> [Data] {
    [Data(topic.utf8), Data(json.utf8)]
}

private func reasonCode(_ message: InboundMessage) -> String? {
    if case .invalid(let reason, _) = message { return reason.code }
    return nil
}

@Suite("InboundMessage: classifying bus frames")
struct InboundMessageTests {
    @Test("a valid two-frame event decodes with its envelope and exact bytes")
    func validEventDecodes() throws {
        let event = CloudEvent(
            source: "pickup-validator", type: "pickup.validated", sequence: 17,
            correlationid: "corr-1", causationid: "cause-1", data: Pickup(code: "AB12", kilograms: 3))
        let payload = try EventCodec.encoder.encode(event)
        let message = InboundMessage.decode([Data("pickup.validated".utf8), payload])
        guard case .event(let received) = message else {
            Issue.record("expected an event, got \(message)")
            return
        }
        #expect(received.source == "pickup-validator")
        #expect(received.sequence == 17)
        #expect(received.type == "pickup.validated")
        #expect(received.envelope.id == event.id)
        #expect(received.envelope.time == event.time)
        #expect(received.envelope.correlationid == "corr-1")
        #expect(received.envelope.causationid == "cause-1")
        #expect(received.payload == payload)
        #expect(try received.decodeData(Pickup.self) == Pickup(code: "AB12", kilograms: 3))
    }

    @Test("a heartbeat decodes as a heartbeat with its source")
    func heartbeatDecodes() throws {
        let beat = Heartbeat(latest: 42, replay: "tcp://127.0.0.1:7703", service: "ingest")
        let event = CloudEvent(source: "ingest", type: Topic.heartbeat, sequence: nil, data: beat)
        let message = InboundMessage.decode([Data(Topic.heartbeat.utf8), try EventCodec.encoder.encode(event)])
        guard case .heartbeat(let source, let decoded, let sentAt) = message else {
            Issue.record("expected a heartbeat, got \(message)")
            return
        }
        #expect(source == "ingest")
        #expect(sentAt.map(EventTime.format) == event.time, "the producer's own time")
        #expect(decoded == beat)
    }

    @Test("a heartbeat whose data is not a heartbeat is dead-lettered as undecodable")
    func badHeartbeatData() throws {
        let event = CloudEvent(source: "ingest", type: Topic.heartbeat, sequence: nil, data: Pickup(code: "x", kilograms: 1))
        let message = InboundMessage.decode([Data(Topic.heartbeat.utf8), try EventCodec.encoder.encode(event)])
        #expect(reasonCode(message) == "json")
    }

    @Test("a message with other than two frames is invalid with code `frames`", arguments: [0, 1, 3, 4])
    func wrongFrameCount(count: Int) throws {
        let payload = try EventCodec.encoder.encode(CloudEvent(source: "ingest", type: "pickup.validated", sequence: 1, data: Pickup(code: "a", kilograms: 1)))
        let input = Array([Data("pickup.validated".utf8), payload, Data("extra".utf8), Data()].prefix(count))
        let message = InboundMessage.decode(input)
        guard case .invalid(let reason, let kept) = message else {
            Issue.record("expected invalid, got \(message)")
            return
        }
        #expect(reason == .wrongFrameCount(count))
        #expect(reason.code == "frames")
        #expect(kept == input, "the frames are kept for the dead-letter table")
    }

    @Test("a topic frame that is not a <domain>.<event> name is invalid with code `topic`",
          arguments: ["", "pickup", "Pickup.Validated", ".pickup", "pickup.", "pickup validated", String(repeating: "a", count: 125) + ".bcd"])
    func badTopic(topic: String) {
        let message = InboundMessage.decode(frames(topic: topic, "{}"))
        #expect(reasonCode(message) == "topic")
    }

    @Test("a topic frame that is not UTF-8 is invalid with code `topic`")
    func nonUTF8Topic() {
        let message = InboundMessage.decode([Data([0xFF, 0xFE, 0x2E, 0x61]), Data("{}".utf8)])
        #expect(reasonCode(message) == "topic")
    }

    @Test("an event frame that is not JSON is invalid with code `json`", arguments: ["", "not json", "[1,2,3]", "{\"specversion\": 1.0}"])
    func nonJSON(body: String) {
        let message = InboundMessage.decode(frames(body))
        #expect(reasonCode(message) == "json")
    }

    @Test("the envelope steps over data: an event whose data is not valid JSON is received, and decoding its data fails for its consumer")
    func dataIsLeftToItsConsumer() throws {
        let json = #"{"specversion":"1.0","id":"e1","source":"pickup-validator","type":"pickup.validated","sequence":5,"data":{"code":tru,"kilograms":[}]}"#
        guard case .event(let received) = InboundMessage.decode(frames(json)) else {
            Issue.record("the envelope is valid, so the event is received")
            return
        }
        #expect(received.sequence == 5)
        #expect(throws: DecodingError.self) { try received.decodeData(Pickup.self) }
        // The envelope itself is still checked whole: a broken attribute is refused at once.
        let broken = #"{"specversion":"1.0","id":e1,"source":"pickup-validator","type":"pickup.validated","sequence":5,"data":{}}"#
        #expect(reasonCode(InboundMessage.decode(frames(broken))) == "json")
    }

    @Test("an event whose type differs from the topic frame is invalid with code `type`")
    func typeDiffersFromTopic() throws {
        let event = CloudEvent(source: "ingest", type: "listing.published", sequence: 1, data: Pickup(code: "a", kilograms: 1))
        let message = InboundMessage.decode([Data("pickup.validated".utf8), try EventCodec.encoder.encode(event)])
        #expect(reasonCode(message) == "type")
    }

    @Test("an event without a positive sequence is invalid with code `sequence`", arguments: [nil, 0, -3] as [Int64?])
    func missingSequence(sequence: Int64?) throws {
        let event = CloudEvent(source: "ingest", type: "pickup.validated", sequence: sequence, data: Pickup(code: "a", kilograms: 1))
        let message = InboundMessage.decode([Data("pickup.validated".utf8), try EventCodec.encoder.encode(event)])
        #expect(reasonCode(message) == "sequence")
    }

    @Test("an event with another specversion is invalid with code `specversion`")
    func unsupportedSpecVersion() {
        let json = #"{"specversion":"0.3","id":"1","source":"ingest","type":"pickup.validated","sequence":1,"data":{}}"#
        #expect(reasonCode(InboundMessage.decode(frames(json))) == "specversion")
    }

    @Test("an event with an empty id or source is invalid with code `attribute`")
    func missingAttribute() {
        let noSource = #"{"specversion":"1.0","id":"1","source":"","type":"pickup.validated","sequence":1,"data":{}}"#
        let noID = #"{"specversion":"1.0","id":"","source":"ingest","type":"pickup.validated","sequence":1,"data":{}}"#
        #expect(reasonCode(InboundMessage.decode(frames(noSource))) == "attribute")
        #expect(reasonCode(InboundMessage.decode(frames(noID))) == "attribute")
    }

    @Test("an event frame over 1 MiB is invalid with code `size`, even if it is a valid event")
    func oversized() throws {
        let big = CloudEvent(
            source: "ingest", type: "pickup.validated", sequence: 1,
            data: Pickup(code: String(repeating: "x", count: InboundMessage.maximumEventSize), kilograms: 1))
        let payload = try EventCodec.encoder.encode(big)
        let message = InboundMessage.decode([Data("pickup.validated".utf8), payload])
        guard case .invalid(let reason, _) = message else {
            Issue.record("expected invalid, got \(message)")
            return
        }
        #expect(reason == .tooLarge(payload.count))
        #expect(reason.code == "size")
    }

    @Test("an event frame of exactly 1 MiB is still accepted")
    func exactlyMaximumSize() throws {
        let empty = CloudEvent(source: "ingest", type: "pickup.validated", sequence: 1, data: Pickup(code: "", kilograms: 1))
        let overhead = try EventCodec.encoder.encode(empty).count
        let event = CloudEvent(
            source: "ingest", type: "pickup.validated", sequence: 1,
            data: Pickup(code: String(repeating: "x", count: InboundMessage.maximumEventSize - overhead), kilograms: 1))
        let payload = try EventCodec.encoder.encode(event)
        #expect(payload.count == InboundMessage.maximumEventSize)
        guard case .event = InboundMessage.decode([Data("pickup.validated".utf8), payload]) else {
            Issue.record("a 1 MiB event must decode")
            return
        }
    }

    @Test("1,000 random byte strings in 1–3 frames never decode as an event and never crash")
    func randomBytesNeverDecode() {
        var generator = SplitMix64(seed: 0x5EED_EC0)
        var accepted = 0
        var invalid = 0
        for _ in 0..<1000 {
            let frameCount = Int.random(in: 1...3, using: &generator)
            var input: [Data] = []
            for index in 0..<frameCount {
                // Sometimes a well-formed topic, so that the JSON path is exercised too.
                if index == 0, Bool.random(using: &generator) {
                    input.append(Data("pickup.validated".utf8))
                    continue
                }
                let length = Int.random(in: 0...512, using: &generator)
                input.append(Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            }
            switch InboundMessage.decode(input) {
            case .event, .heartbeat:
                accepted += 1
            case .invalid(_, let kept):
                invalid += 1
                #expect(kept == input)
            }
        }
        #expect(accepted == 0)
        #expect(invalid == 1000)
    }

    @Test("decodeEvent without an expected type accepts any valid type (replayed events)")
    func decodeEventWithoutExpectedType() throws {
        let payload = try EventCodec.encoder.encode(CloudEvent(source: "ingest", type: "listing.published", sequence: 9, data: Pickup(code: "a", kilograms: 1)))
        guard case .event(let event) = InboundMessage.decodeEvent(payload, expectedType: nil) else {
            Issue.record("expected an event")
            return
        }
        #expect(event.sequence == 9)
        #expect(reasonCode(InboundMessage.decodeEvent(payload, expectedType: "pickup.validated")) == "type")
    }
}
