import EcoConfig
import EcoModel
import Foundation
import GRDB
import Testing

/// Authorities' webhooks against the real processes and a real receiver (Fixtures/webhook_receiver.py)
/// that verifies signatures, fails on purpose, is killed and comes back.
@Suite("Report webhooks", .serialized)
struct ReportWebhookTests {
    static let secret = "marseille-webhook-secret-0123456789"

    /// The receiver fixture: started on a port with a state directory, killed with SIGKILL, restarted on both.
    final class Receiver {
        let port: Int
        let state: URL
        let log: URL
        private var fixture: PythonFixture?

        init(port: Int, root: URL) {
            self.port = port
            state = root.appendingPathComponent("receiver")
            log = root.appendingPathComponent("webhook_receiver.log")
        }

        func start(failFirst: Int) async throws {
            let fixture = try PythonFixture("webhook_receiver.py", arguments: [
                "--port", "\(port)", "--secret", ReportWebhookTests.secret, "--state", state.path, "--fail-first", "\(failFirst)",
            ], log: log)
            self.fixture = fixture
            try await fixture.awaitLine("READY")
        }

        func kill() { fixture?.kill() }

        /// Fails at once, with its log, if the receiver died on its own.
        func checkRunning() throws { try fixture?.checkRunning() }

        /// The events the receiver applied, in the order it applied them, each as its exact line.
        func applied() throws -> [String] {
            let url = state.appendingPathComponent("applied.jsonl")
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    /// What the tests read from a CloudEvent line.
    struct Event: Equatable {
        let id: String
        let type: String
        let sequence: Int64
        let reportId: String
        let jurisdictionId: String?

        init(_ line: String) throws {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let report = try #require((json["data"] as? [String: Any])?["report"] as? [String: Any])
            id = try #require(json["id"] as? String)
            type = try #require(json["type"] as? String)
            sequence = try #require((json["sequence"] as? NSNumber)?.int64Value)
            reportId = try #require(report["id"] as? String)
            jurisdictionId = report["jurisdictionId"] as? String
        }
    }

    static func report(_ category: String, _ latitude: Double, _ longitude: Double) -> [String: Any] {
        ["category": category, "latitude": latitude, "longitude": longitude, "description": "Signalement \(category) (\(latitude), \(longitude))"]
    }

    @Test("the bound authority's receiver gets each Marseille report event exactly once, in order per report, through failures and a crash")
    func deliveredThroughFailuresAndCrash() async throws {
        let deployment = try await TestDeployment.make()
        var receiverPort = PortBlock.find(count: 1)
        while (deployment.topology.busPort...deployment.httpPort).contains(receiverPort) { receiverPort = PortBlock.find(count: 1) }
        let receiver = Receiver(port: receiverPort, root: deployment.root)
        defer { receiver.kill() }
        try await receiver.start(failFirst: 3)

        deployment.extraArguments["notifications"] = ["--webhook-retry-base", "0.2", "--webhook-retry-max", "1"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let stranger = try await HTTPSession.signUp(base, "stranger@example.org")
        let city = try await ReportAuthority.make(base, admin: admin, email: "webhooks@marseille.example")
        let agentSession = city.session
        try await city.bind(base, to: "marseille", admin: admin)

        // Who may register, and what.
        let hooks = "\(base)/v1/jurisdictions/marseille/webhooks"
        let receiverURL = "http://127.0.0.1:\(receiverPort)/ecoresupply"
        let good: [String: Any] = ["url": receiverURL, "secret": Self.secret]
        #expect(try await HTTP.send("POST", hooks, json: good).status == 401)
        #expect(try await HTTP.send("POST", hooks, json: good, token: stranger.accessToken).status == 403)
        #expect(try await HTTP.get(hooks, token: stranger.accessToken).status == 403)
        #expect(try await HTTP.send("POST", "\(base)/v1/jurisdictions/metropole-aix-marseille/webhooks", json: good, token: agentSession.accessToken).status == 403,
                "bound to Marseille only")
        #expect(try await HTTP.send("POST", "\(base)/v1/jurisdictions/atlantis/webhooks", json: good, token: agentSession.accessToken).status == 404)
        #expect(try await HTTP.send("POST", "\(base)/v1/jurisdictions/atlantis/webhooks", json: good, token: admin.accessToken).status == 404)
        #expect(try await HTTP.send("POST", hooks, json: ["url": "ftp://127.0.0.1/x", "secret": Self.secret], token: agentSession.accessToken).errorField == "url")
        #expect(try await HTTP.send("POST", hooks, json: ["url": receiverURL, "secret": "short"], token: agentSession.accessToken).errorField == "secret")
        let registered = try await HTTP.send("POST", hooks, json: good, token: agentSession.accessToken)
        #expect(registered.status == 201, "\(registered.text)")
        let hookID = try #require(try registered.json()["id"] as? String)
        #expect(!registered.text.contains(Self.secret))
        let listed = try await HTTP.get(hooks, token: agentSession.accessToken)
        #expect(((try listed.json()["items"] as? [[String: Any]])?.compactMap { $0["url"] as? String }) == [receiverURL])
        #expect(!listed.text.contains(Self.secret), "the secret is never shown")
        #expect(try await HTTP.get(hooks, token: admin.accessToken).status == 200)

        // Reports: one in Marseille, a second 30 m away supports it, another kind elsewhere in the
        // city, one the metropolis handles (not Marseille's), and status changes.
        func file(_ body: [String: Any]) async throws -> String {
            let reply = try await HTTP.send("POST", "\(base)/v1/reports", json: body)
            #expect(reply.status == 201 || reply.status == 200, "\(reply.text)")
            return try #require((try reply.json()["report"] as? [String: Any])?["id"] as? String, "\(reply.text)")
        }
        func move(_ id: String, _ status: String) async throws {
            let reply = try await HTTP.send("POST", "\(base)/v1/reports/\(id)/status", json: ["status": status], token: agentSession.accessToken)
            #expect(reply.status == 200, "\(reply.text)")
        }
        let dumping = try await file(Self.report("illegal_dumping", 43.2951, 5.3740))
        #expect(try await file(Self.report("illegal_dumping", 43.29537, 5.3740)) == dumping, "supports the first")
        let noise = try await file(Self.report("noise", 43.2990, 5.3790))
        let bin = try await file(Self.report("overflowing_bin", 43.2951, 5.3740))
        try await move(dumping, "acknowledged")
        try await move(noise, "acknowledged")

        // The receiver refuses its first 3 requests; once it has applied some events, it is killed.
        _ = try await eventually("the receiver to apply its first events", timeout: .seconds(60)) { () -> Bool? in
            try receiver.checkRunning()
            return try receiver.applied().count >= 2 ? true : nil
        }
        receiver.kill()
        let vehicle = try await file(Self.report("abandoned_vehicle", 43.2920, 5.3810))
        try await move(dumping, "in_progress")
        try await move(noise, "in_progress")
        let deliveries = "\(hooks)/\(hookID)/deliveries"
        _ = try await eventually("an attempt to fail while the receiver is down", timeout: .seconds(30)) { () -> Bool? in
            let items = try await HTTP.get("\(deliveries)?limit=200", token: agentSession.accessToken).json()["items"] as? [[String: Any]] ?? []
            let attempts = items.flatMap { $0["recentAttempts"] as? [[String: Any]] ?? [] }
            return attempts.contains { $0["httpStatus"] == nil && $0["error"] is String } ? true : nil
        }
        try await receiver.start(failFirst: 0)

        // What ingest published about Marseille's reports since the webhook was registered (all of it).
        let expected = try await deployment.database(of: ServiceInstance(.ingest)).read { db in
            try String.fetchAll(db, sql: "SELECT CAST(payload AS TEXT) FROM bus_outbox WHERE topic LIKE 'report.%' ORDER BY sequence")
        }.filter { try Event($0).jurisdictionId == "marseille" }
        #expect(expected.count == 8, "filed ×3, supported, acknowledged ×2, in progress ×2")
        let applied = try await eventually("the receiver to apply every Marseille event", timeout: .seconds(90), interval: .milliseconds(100)) { () -> [String]? in
            try deployment.checkRunning("notifications")
            try receiver.checkRunning()
            let lines = try receiver.applied()
            return lines.count >= expected.count ? lines : nil
        }

        // Exactly once each, byte for byte as ingest published them, in sequence order per report.
        #expect(applied.count == expected.count, "exactly once: \(applied.count) applied for \(expected.count) events")
        #expect(applied.sorted() == expected.sorted(), "the same events, byte for byte")
        let appliedEvents = try applied.map(Event.init)
        #expect(Set(appliedEvents.map(\.id)).count == appliedEvents.count)
        for reportId in Set(appliedEvents.map(\.reportId)) {
            let order = appliedEvents.filter { $0.reportId == reportId }.map(\.sequence)
            #expect(order == order.sorted(), "report \(reportId) applied in order: \(order)")
        }
        #expect(Set(appliedEvents.map(\.reportId)) == [dumping, noise, vehicle])
        #expect(!appliedEvents.contains { $0.reportId == bin }, "the metropolis's report is not Marseille's")
        #expect(Set(appliedEvents.map(\.type)) == ["report.filed", "report.supported", "report.status_changed"])

        // The delivery log: every event delivered, after refusals (500) and a connection refused.
        let log = try #require(try await HTTP.get("\(deliveries)?limit=200", token: agentSession.accessToken).json()["items"] as? [[String: Any]])
        #expect(log.count == expected.count)
        #expect(log.allSatisfy { $0["status"] as? String == "delivered" }, "\(log)")
        let attempts = log.map { $0["recentAttempts"] as? [[String: Any]] ?? [] }
        #expect(attempts.allSatisfy { (($0.last?["httpStatus"] as? Int) ?? 0) / 100 == 2 }, "each ends with a 2xx")
        #expect(attempts.flatMap { $0 }.filter { $0["httpStatus"] as? Int == 500 }.count == 3)
        #expect(attempts.contains { $0.count > 1 && $0.first?["httpStatus"] as? Int == 500 }, "a refused delivery was retried until it went through")
        #expect(attempts.flatMap { $0 }.contains { $0["httpStatus"] == nil && (($0["error"] as? String) ?? "").isEmpty == false })
        #expect(log.map { min(WebhookRequests.attemptsShown, $0["attempts"] as? Int ?? 0) } == attempts.map(\.count))
        // Paged: newest first, the second page continues the first.
        let page1 = try await HTTP.get("\(deliveries)?limit=4", token: agentSession.accessToken).json()
        let cursor = try #require(page1["nextCursor"] as? String)
        let page2 = try await HTTP.get("\(deliveries)?limit=4&cursor=\(cursor)", token: agentSession.accessToken).json()
        let pagedIDs = ((page1["items"] as? [[String: Any]] ?? []) + (page2["items"] as? [[String: Any]] ?? [])).compactMap { $0["eventId"] as? String }
        #expect(pagedIDs == log.compactMap { $0["eventId"] as? String })
        #expect(try await HTTP.get(deliveries, token: stranger.accessToken).status == 403)
        #expect(try await HTTP.get("\(hooks)/nope/deliveries", token: agentSession.accessToken).status == 404)

        // Revoked: listed as such, and revoking again is a 404.
        #expect(try await HTTP.send("DELETE", "\(hooks)/\(hookID)", token: stranger.accessToken).status == 403)
        #expect(try await HTTP.send("DELETE", "\(hooks)/\(hookID)", token: agentSession.accessToken).status == 204)
        #expect(try await HTTP.send("DELETE", "\(hooks)/\(hookID)", token: agentSession.accessToken).status == 404)
        let afterRevoke = try await HTTP.get(hooks, token: agentSession.accessToken).json()["items"] as? [[String: Any]]
        #expect(afterRevoke?.first?["revokedAt"] is String)
        _ = deployment.stopAll()
    }
}
