import Foundation
@testable import GatewayService
import Synchronization
import Testing

/// A report stream over an in-memory event source: filtering, order, resuming, and SSE framing.
@Suite("Report stream sessions")
struct ReportStreamSessionTests {
    /// Ingest's stream in memory: report events among other sequences, served in pages.
    final class InMemorySource: ReportEventSource {
        let events: [ReportEventPage.Event]
        let latestSequence: Int64
        let pageSize: Int
        let reads = Mutex(0)
        init(events: [ReportEventPage.Event], latest: Int64, pageSize: Int) {
            self.events = events; self.latestSequence = latest; self.pageSize = pageSize
        }
        func latest() async throws -> Int64 { latestSequence }
        func events(after sequence: Int64) async throws -> ReportEventPage {
            reads.withLock { $0 += 1 }
            let through = min(sequence + Int64(pageSize), latestSequence)
            return ReportEventPage(events: events.filter { $0.sequence > sequence && $0.sequence <= through }, through: max(through, sequence), latest: latestSequence)
        }
    }

    static func event(_ sequence: Int64, _ jurisdiction: String?) -> ReportEventPage.Event {
        ReportEventPage.Event(sequence: sequence, type: "report.filed", jurisdictionId: jurisdiction, json: #"{"sequence":\#(sequence)}"#)
    }

    static let source = InMemorySource(
        events: [event(2, "marseille"), event(3, nil), event(5, "ofb"), event(8, "marseille"), event(13, "marseille")], latest: 15, pageSize: 4)

    @Test("carries only its jurisdictions' events, in order, across pages, and stops at the producer's latest")
    func filtersAndPages() async throws {
        var session = ReportStreamSession(source: Self.source, jurisdictions: ["marseille"], after: 0)
        var sent: [String] = []
        try await session.drain { sent.append($0.id ?? "") }
        #expect(sent == ["2", "8", "13"])
        #expect(session.cursor == 15)
        try await session.drain { sent.append($0.id ?? "") }
        #expect(sent == ["2", "8", "13"], "nothing new, nothing again")
    }

    @Test("a report routed away from a jurisdiction: its stream gets that report.routed, and nothing after")
    func routedAway() async throws {
        let routed = ReportEventPage.Event(sequence: 4, type: "report.routed", jurisdictionId: "ofb", previousJurisdictionId: "marseille", json: "{}")
        let source = InMemorySource(events: [Self.event(2, "marseille"), routed, Self.event(6, "ofb")], latest: 6, pageSize: 10)
        var marseille = ReportStreamSession(source: source, jurisdictions: ["marseille"], after: 0)
        var sent: [String] = []
        try await marseille.drain { sent.append($0.id ?? "") }
        #expect(sent == ["2", "4"])
        var agency = ReportStreamSession(source: source, jurisdictions: ["ofb"], after: 0)
        sent = []
        try await agency.drain { sent.append($0.id ?? "") }
        #expect(sent == ["4", "6"])
    }

    @Test("an admin's stream carries everything; resuming after an id sends only what follows it")
    func resumes() async throws {
        var all = ReportStreamSession(source: Self.source, jurisdictions: nil, after: 0)
        var sent: [String] = []
        try await all.drain { sent.append($0.id ?? "") }
        #expect(sent == ["2", "3", "5", "8", "13"])
        var resumed = ReportStreamSession(source: Self.source, jurisdictions: nil, after: 5)
        sent = []
        try await resumed.drain { sent.append($0.id ?? "") }
        #expect(sent == ["8", "13"])
    }

    @Test("Last-Event-ID: a whole number from the header, else the query; anything else is refused")
    func resumePosition() throws {
        #expect(try ReportStreamSession.resumePosition(header: "42", query: "7") == 42)
        #expect(try ReportStreamSession.resumePosition(header: nil, query: "7") == 7)
        #expect(try ReportStreamSession.resumePosition(header: nil, query: nil) == nil)
        #expect(throws: ReportStreamSession.ResumeError.self) { try ReportStreamSession.resumePosition(header: "-1", query: nil) }
        #expect(throws: ReportStreamSession.ResumeError.self) { try ReportStreamSession.resumePosition(header: "abc", query: nil) }
    }

    @Test("an event is framed with its id, type and one data line per line")
    func framing() {
        #expect(ServerSentEvent(id: "9", event: "report.filed", data: "{\"a\":1}\n{\"b\":2}").framed
            == "id: 9\nevent: report.filed\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n")
        #expect(ServerSentEvent.comment("keep-alive") == ": keep-alive\n\n")
    }
}
