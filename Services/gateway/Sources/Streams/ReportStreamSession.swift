import EcoModel
import Foundation

/// One open report stream: from a position in ingest's stream, the events of the authority's
/// jurisdictions (all of them for an admin), each sent once and in order, framed for SSE.
struct ReportStreamSession: Sendable {
    let source: any ReportEventSource
    /// The jurisdictions this stream carries; nil for all.
    let jurisdictions: Set<String>?
    /// The last sequence read: the stream resumes after it.
    private(set) var cursor: Int64

    init(source: any ReportEventSource, jurisdictions: Set<String>?, after cursor: Int64) {
        self.source = source
        self.jurisdictions = jurisdictions
        self.cursor = cursor
    }

    /// Whether the event concerns this stream: its report is, or just was (routed away), in one of its jurisdictions.
    func carries(_ event: ReportEventPage.Event) -> Bool {
        guard let jurisdictions else { return true }
        return ReportChanged.concerned(jurisdictionId: event.jurisdictionId, previousJurisdictionId: event.previousJurisdictionId)
            .contains { jurisdictions.contains($0) }
    }

    /// Reads everything after the cursor and hands each event this stream carries to `send`,
    /// moving the cursor past each page only after it was sent.
    mutating func drain(_ send: (ServerSentEvent) async throws -> Void) async throws {
        while true {
            let page = try await source.events(after: cursor)
            for event in page.events where event.sequence > cursor && carries(event) {
                try await send(ServerSentEvent(id: String(event.sequence), event: event.type, data: event.json))
            }
            guard page.through > cursor else { return }
            cursor = page.through
            guard page.through < page.latest else { return }
        }
    }

    /// Where a client resumes: the `Last-Event-ID` header, else the `lastEventId` query parameter
    /// (for clients that cannot set headers); nil when it gives neither.
    static func resumePosition(header: String?, query: String?) throws(ResumeError) -> Int64? {
        guard let text = header ?? query else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= 0 else { throw ResumeError(text: text) }
        return value
    }

    struct ResumeError: Error { let text: String }
}
