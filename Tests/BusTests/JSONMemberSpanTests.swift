import EcoBus
import EcoModel
import Foundation
import Testing

private struct Parcel: Codable, Sendable, Equatable {
    var label: String
    var grams: Int
}

@Suite("JSONMemberSpan: one member's bytes without decoding the object")
struct JSONMemberSpanTests {
    private func span(_ name: String, _ json: String) -> String? {
        JSONMemberSpan.bytes(of: name, in: Data(json.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("finds a member among strings, numbers, nesting and whitespace, with braces and quotes inside strings")
    func findsTheMember() {
        let json = #" { "a" : "x}\"{[" , "n": -1.5e3, "deep": {"data": 1, "list": [1, {"b": "]"}]}, "data" :  {"k": [true, null, "\\"]} , "z": false } "#
        #expect(span("data", json) == #"{"k": [true, null, "\\"]}"#)
        #expect(span("n", json) == "-1.5e3")
        #expect(span("z", json) == "false")
        #expect(span("a", json) == #""x}\"{[""#)
    }

    @Test("answers nil where a full decode must decide: missing, twice, written with escapes, not an object, cut short")
    func refusesWhatItCannotTell() {
        #expect(span("data", #"{"other": 1}"#) == nil)
        #expect(span("data", #"{}"#) == nil)
        #expect(span("data", #"{"data": 1, "data": 2}"#) == nil)
        #expect(span("data", #"{"d\u0061ta": 1}"#) == nil)
        #expect(span("data", #"[{"data": 1}]"#) == nil)
        #expect(span("data", #"{"data": {"a": 1}"#) == nil)
        #expect(span("data", #"{"data": "open"#) == nil)
        #expect(span("data", #"{"data" 1}"#) == nil)
        #expect(span("data", "") == nil)
        // A short escaped name cannot spell the key, so the member is still found.
        #expect(span("data", #"{"\n": 0, "data": 7}"#) == "7")
    }

    @Test("on random objects, the span parses to the value the whole object holds")
    func randomObjects() throws {
        var random = SplitMix64(seed: 2026)
        func value(depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
            case 0: return Int.random(in: -1000...1000, using: &random)
            case 1: return ["", "a\"b", "}{][", "\\", "é\n\t"][Int.random(in: 0..<5, using: &random)]
            case 2: return Bool.random(using: &random)
            case 3: return NSNull()
            case 4: return (0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth + 1) }
            default:
                return Dictionary(uniqueKeysWithValues: (0..<Int.random(in: 0...3, using: &random)).map { ("k\($0)", value(depth: depth + 1)) })
            }
        }
        for _ in 0..<500 {
            var object: [String: Any] = [:]
            for index in 0..<Int.random(in: 1...5, using: &random) { object["m\(index)"] = value(depth: 0) }
            let json = try JSONSerialization.data(withJSONObject: object, options: Bool.random(using: &random) ? [.prettyPrinted] : [])
            let whole = try #require(try JSONSerialization.jsonObject(with: json) as? NSDictionary)
            for name in object.keys {
                let bytes = try #require(JSONMemberSpan.bytes(of: name, in: json))
                let parsed = try JSONSerialization.jsonObject(with: bytes, options: .fragmentsAllowed)
                #expect((parsed as? NSObject)?.isEqual(whole[name]) == true, "member \(name) of \(String(decoding: json, as: UTF8.self))")
            }
        }
    }

    @Test("an event's data decodes alone, from a slice, and a bad data member's error still names its path from the event's top")
    func eventData() throws {
        let event = CloudEvent(source: "ingest", type: "parcel.sent", sequence: 3, data: Parcel(label: "P-1", grams: 250))
        var payload = Data([0x20, 0x20])
        payload.append(try EventCodec.encoder.encode(event))
        let slice = payload.dropFirst(2)  // a Data whose indices do not start at 0
        let received = ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: slice), payload: slice)
        #expect(try received.decodeData(Parcel.self) == Parcel(label: "P-1", grams: 250))
        #expect(try JSONDecoder().decode(Parcel.self, from: try #require(received.dataBytes)) == Parcel(label: "P-1", grams: 250))

        let bad = Data(#"{"specversion":"1.0","id":"e1","source":"ingest","type":"parcel.sent","time":"2026-12-01T00:00:00.000Z","sequence":4,"data":{"label":"P-2","grams":"heavy"}}"#.utf8)
        let badEvent = ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: bad), payload: bad)
        do {
            _ = try badEvent.decodeData(Parcel.self)
            Issue.record("a string where a number is expected decoded")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["data", "grams"])
        }
    }
}
