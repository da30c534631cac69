import EcoConfig
import Foundation
import GRDB
import Testing

/// `GET /streams/reports` against the real gateway and ingest, read by a standard-library Python
/// client (Fixtures/sse_client.py) that disconnects and resumes with `Last-Event-ID`.
@Suite("Citizen reports as Server-Sent Events", .serialized)
struct ReportSSEStreamTests {
    struct Expected: Equatable {
        let sequence: Int64
        let id: String
        let topic: String
    }

    static func outbox(_ deployment: TestDeployment, jurisdiction: String) async throws -> [Expected] {
        try await deployment.database(of: ServiceInstance(.ingest)).read { db in
            try Row.fetchAll(db, sql: """
                SELECT sequence, event_id, topic FROM bus_outbox WHERE topic LIKE 'report.%'
                    AND json_extract(CAST(payload AS TEXT), '$.data.report.jurisdictionId') = ? ORDER BY sequence
                """, arguments: [jurisdiction]).map { Expected(sequence: $0["sequence"], id: $0["event_id"], topic: $0["topic"]) }
        }
    }

    /// The lines the client applied: `{"id", "event", "data"}`.
    static func applied(_ state: URL) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: state.appendingPathComponent("events.jsonl").path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func eventIDs(_ lines: [[String: Any]]) -> [String] { lines.compactMap { ($0["data"] as? [String: Any])?["id"] as? String } }

    @Test("an authority's key streams its jurisdiction's report events; a client that drops and resumes with Last-Event-ID gets each once, in order")
    func resumesExactlyOnce() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let stream = "\(base)/streams/reports"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let city = try await ReportAuthority.make(base, admin: admin, email: "agent@marseille.example")
        let agentSession = city.session
        let key = try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "city dashboard"], token: agentSession.accessToken)
        let apiKey = try #require(try key.json()["apiKey"] as? String, "\(key.text)")

        // Refused before the binding, without a credential, and with a bad position.
        #expect(try await HTTP.get(stream, token: apiKey).status == 403, "no jurisdiction bound yet")
        #expect(try await HTTP.get(stream).status == 401)
        try await city.bind(base, to: "marseille", admin: admin)
        #expect(try await HTTP.get("\(stream)?lastEventId=yesterday", token: apiKey).errorField == "Last-Event-ID")

        let reports = ReportFiler(base: base)

        // Before the client connects: a Marseille report, and one for the admin queue (not Marseille's).
        let first = try await reports.file()
        _ = try await reports.file(category: "noise", latitude: 43.5297, longitude: 5.4474)

        // The client starts from the beginning (Last-Event-ID: 0), applies 3 events and drops the connection.
        let state = deployment.root.appendingPathComponent("sse-client")
        let log = deployment.root.appendingPathComponent("sse-client.log")
        let arguments = ["--url", stream, "--key", apiKey, "--state", state.path, "--from", "0"]
        let firstRun = try PythonFixture("sse_client.py", arguments: arguments + ["--stop-after", "3"], log: log)
        defer { firstRun.kill() }
        try await firstRun.awaitLine("connected")
        let move = try await HTTP.send("POST", "\(base)/v1/reports/\(first)/status", json: ["status": "acknowledged"], token: agentSession.accessToken)
        #expect(move.status == 200, "\(move.text)")
        _ = try await reports.file()
        #expect(try await firstRun.awaitExit() == 0, "it disconnects after 3 events")
        #expect(try Self.applied(state).count == 3)

        // While it is away: more Marseille events, and one for another authority.
        try await reports.support(1)
        let moved = try await HTTP.send("POST", "\(base)/v1/reports/\(first)/status", json: ["status": "in_progress"], token: agentSession.accessToken)
        #expect(moved.status == 200, "\(moved.text)")
        _ = try await reports.file(category: "wildlife_harm", latitude: 43.25, longitude: 5.45)

        // It resumes after the last event it applied, then receives live events.
        let secondRun = try PythonFixture("sse_client.py", arguments: arguments, log: log)
        defer { secondRun.kill() }
        try await secondRun.awaitLine("connected")
        _ = try await reports.file()
        let expected = try await Self.outbox(deployment, jurisdiction: "marseille")
        #expect(expected.count == 6)
        let lines = try await eventually("the client to hold \(expected.count) events", timeout: .seconds(30)) {
            try secondRun.checkRunning()
            let lines = try Self.applied(state)
            return lines.count >= expected.count ? lines : nil
        }
        #expect(Self.eventIDs(lines) == expected.map(\.id), "each Marseille event once, in order, across the reconnect")
        #expect(lines.compactMap { $0["id"] as? String } == expected.map { String($0.sequence) }, "the SSE id is ingest's sequence")
        #expect(lines.compactMap { $0["event"] as? String } == expected.map(\.topic))
        #expect(Set(expected.map(\.topic)).isSuperset(of: ["report.filed", "report.supported", "report.status_changed"]))

        // The gateway stops cleanly with a stream open: it ends the stream, and the client sees it end.
        try deployment.process("gateway").stop()
        #expect(try deployment.process("gateway").process.terminationStatus == 0, "\(deployment.logs("gateway"))")
        #expect(try await secondRun.awaitExit() == 0)
        _ = deployment.stopAll()
    }
}
