import EcoConfig
import Foundation
import GRDB
import Testing

/// A municipal system on another ZeroMQ binding (Python's pyzmq, Fixtures/report_subscriber.py, the
/// example of docs/streams.md) receives every citizen-report event exactly once, across its own restart.
@Suite("Citizen reports over ZeroMQ for municipal systems", .serialized)
struct ReportZeroMQStreamTests {
    /// One run of the Python subscriber: its "ready" line on stdout, the rest of its output in a log.
    final class Subscriber {
        let fixture: PythonFixture

        init(xpub: String, state: URL, log: URL, extra: [String] = []) throws {
            fixture = try PythonFixture("report_subscriber.py", arguments: ["--xpub", xpub, "--state", state.path] + extra, log: log)
        }

        func awaitReady() async throws { try await fixture.awaitLine("ready") }
        func checkRunning() throws { try fixture.checkRunning() }
        func kill() { fixture.kill() }

        /// Sends SIGTERM and awaits the end of the process (SIGKILL if it does not end in time); returns its exit status.
        func terminate() async throws -> Int32 {
            if fixture.process.isRunning { Foundation.kill(fixture.process.processIdentifier, SIGTERM) }
            defer { kill() }
            return try await fixture.awaitExit(timeout: .seconds(10))
        }
    }

    /// An event of ingest's outbox: what the subscriber must hold, in this order.
    struct OutboxEvent: Equatable {
        let sequence: Int64
        let id: String
        let topic: String
        let jurisdiction: String?
    }

    static func outboxReports(_ deployment: TestDeployment) async throws -> [OutboxEvent] {
        try await deployment.database(of: ServiceInstance(.ingest)).read { db in
            try Row.fetchAll(db, sql: """
                SELECT sequence, event_id, topic, json_extract(CAST(payload AS TEXT), '$.data.report.jurisdictionId') AS jurisdiction
                FROM bus_outbox WHERE topic LIKE 'report.%' ORDER BY sequence
                """).map { OutboxEvent(sequence: $0["sequence"], id: $0["event_id"], topic: $0["topic"], jurisdiction: $0["jurisdiction"]) }
        }
    }

    /// The complete lines of events.jsonl (a line being written is left out), each a CloudEvent.
    static func received(_ state: URL) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: state.appendingPathComponent("events.jsonl").path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    static func ids(_ events: [[String: Any]]) -> [String] { events.compactMap { $0["id"] as? String } }

    /// Waits until the subscriber holds at least `expected.count` events, then checks they are exactly `expected`.
    static func expectHolds(_ state: URL, _ expected: [OutboxEvent], _ what: String, subscriber: Subscriber) async throws {
        let events = try await eventually("\(what): \(expected.count) events in events.jsonl", timeout: .seconds(30)) {
            try subscriber.checkRunning()
            let events = try received(state)
            return events.count >= expected.count ? events : nil
        }
        #expect(ids(events) == expected.map(\.id), "\(what): each report event once, in sequence order")
    }

    @Test("a pyzmq subscriber gets each report event once, in order, across SIGKILL and restart; it can keep one jurisdiction")
    func exactlyOnceAcrossRestart() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let xpub = deployment.topology.subscribeEndpoint
        let state = deployment.root.appendingPathComponent("municipal")
        let marseilleState = deployment.root.appendingPathComponent("municipal-marseille")
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let merchant = try await HTTPSession.signUp(base, "stream-shop@example.org", roles: ["merchant"])

        let reports = ReportFiler(base: base)
        /// Another ingest topic in between, so report sequences have holes the subscriber must see through.
        func publishLot() async throws {
            let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(), token: merchant.accessToken)
            #expect(lot.status == 201, "\(lot.text)")
        }

        let subscriber = try Subscriber(xpub: xpub, state: state, log: deployment.root.appendingPathComponent("subscriber.log"))
        defer { subscriber.kill() }
        let marseille = try Subscriber(xpub: xpub, state: marseilleState, log: deployment.root.appendingPathComponent("subscriber-marseille.log"),
                                       extra: ["--jurisdiction", "marseille"])
        defer { marseille.kill() }
        try await subscriber.awaitReady()
        try await marseille.awaitReady()

        // Live: filed, a duplicate (supported), a lot in between, another report.
        let first = try await reports.file()
        try await reports.support(1)
        try await publishLot()
        _ = try await reports.file(category: "overflowing_bin")
        try await Self.expectHolds(state, try await Self.outboxReports(deployment), "live", subscriber: subscriber)

        // Down: SIGKILL, then events it must get back by replay, among them each other report topic.
        subscriber.kill()
        _ = try await reports.file()
        try await publishLot()
        try await reports.support(3)
        let moved = try await HTTP.send("POST", "\(base)/v1/reports/\(first)/status", json: ["status": "acknowledged"], token: admin.accessToken)
        #expect(moved.status == 200, "\(moved.text)")
        // Nobody handles noise in Aix: queued, then routed by hand (`report.routed`, to a jurisdiction other than Marseille).
        let queued = try await reports.file(category: "noise", latitude: 43.5297, longitude: 5.4474)
        let routed = try await HTTP.send("POST", "\(base)/v1/reports/\(queued)/route", json: ["jurisdictionId": "ofb"], token: admin.accessToken)
        #expect(routed.status == 200, "\(routed.text)")
        let whileDown = try await Self.outboxReports(deployment)
        #expect(Set(whileDown.map(\.topic)) == ["report.filed", "report.supported", "report.status_changed", "report.routed"])

        // Restarted with the same state: "ready" means it caught up by replay, before anything new.
        let restarted = try Subscriber(xpub: xpub, state: state, log: deployment.root.appendingPathComponent("subscriber.log"))
        defer { restarted.kill() }
        try await restarted.awaitReady()
        #expect(Self.ids(try Self.received(state)) == whileDown.map(\.id), "caught up on what was filed while it was down, nothing twice")

        // Live again after the restart.
        _ = try await reports.file()
        try await publishLot()
        try await reports.support(reports.filed)
        let all = try await Self.outboxReports(deployment)
        try await Self.expectHolds(state, all, "after restart", subscriber: restarted)
        #expect(try await restarted.terminate() == 0, "SIGTERM stops it cleanly")

        // Every line is the CloudEvent ingest published: same id, sequence, type (= topic) and source.
        let events = try Self.received(state)
        #expect(Self.ids(events) == all.map(\.id), "still exactly once after it stopped")
        for (event, expected) in zip(events, all) {
            #expect(event["specversion"] as? String == "1.0")
            #expect(event["type"] as? String == expected.topic)
            #expect(event["source"] as? String == "ingest")
            #expect((event["sequence"] as? NSNumber)?.int64Value == expected.sequence)
            #expect((event["data"] as? [String: Any])?["report"] is [String: Any])
        }
        let sequences = all.map(\.sequence)
        #expect(zip(sequences, sequences.dropFirst()).contains { $1 > $0 + 1 }, "report sequences have holes (other ingest topics)")

        // The Marseille-only subscriber, never stopped, holds exactly the events of Marseille's reports.
        let forMarseille = all.filter { $0.jurisdiction == "marseille" }
        #expect(forMarseille.count < all.count, "the routed Aix report is not Marseille's")
        try await Self.expectHolds(marseilleState, forMarseille, "marseille only", subscriber: marseille)
        _ = deployment.stopAll()
    }
}
