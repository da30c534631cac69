import EcoBus
import Foundation
import Testing

@Suite("CloudEventWriter and EventTime: the outbox's hand-written encoding")
struct CloudEventWriterTests {
    struct Sample: Codable, Sendable, Equatable {
        let title: String
        let quantity: Double
        let tags: [String]
    }

    @Test("the written JSON decodes to the same event as JSONEncoder's, with every attribute")
    func agreesWithJSONEncoder() throws {
        let event = CloudEvent(
            source: "ingest", type: "listing.published", time: Date(timeIntervalSince1970: 1_795_000_000.25), sequence: 42,
            correlationid: "corr \"quoted\" \\ back", causationid: "line\nbreak\u{01}",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", data: Sample(title: "Pain – invendus \"frais\"", quantity: 12.5, tags: ["bio", "é"]))
        let written = try CloudEventWriter.encode(event)
        let decoded = try JSONDecoder().decode(CloudEvent<Sample>.self, from: written)
        let reference = try JSONDecoder().decode(CloudEvent<Sample>.self, from: JSONEncoder().encode(event))
        #expect(decoded.id == reference.id)
        #expect(decoded.source == "ingest")
        #expect(decoded.type == "listing.published")
        #expect(decoded.time == reference.time)
        #expect(decoded.sequence == 42)
        #expect(decoded.correlationid == "corr \"quoted\" \\ back")
        #expect(decoded.causationid == "line\nbreak\u{01}")
        #expect(decoded.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" && decoded.traceparent == reference.traceparent)
        #expect(decoded.datacontenttype == "application/json")
        #expect(decoded.specversion == "1.0")
        #expect(decoded.data == event.data)
    }

    @Test("optional attributes are left out when absent")
    func omitsAbsentAttributes() throws {
        let event = CloudEvent(source: "matcher-0", type: "match.proposed", sequence: nil, data: ["k": "v"])
        let object = try #require(try JSONSerialization.jsonObject(with: CloudEventWriter.encode(event)) as? [String: Any])
        #expect(object["sequence"] == nil)
        #expect(object["correlationid"] == nil)
        #expect(object["causationid"] == nil)
        #expect(object["traceparent"] == nil)
        #expect(object["data"] as? [String: String] == ["k": "v"])
    }

    @Test("EventTime writes RFC 3339 UTC with milliseconds that parses back to the same instant")
    func timeFormat() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        let text = EventTime.format(date)
        #expect(text == "2026-11-18T11:06:40.123Z")
        let parsed = try #require(EventTime.parse(text))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        #expect(EventTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
