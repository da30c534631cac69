import EcoConfig
import Foundation
import Testing

/// Authorities that take reports by email (their address in the territory) get each report that
/// reaches them, through a real SMTP server (Fixtures/smtp_sink.py).
@Suite("Report emails to authorities", .serialized)
struct ReportAuthorityEmailTests {
    @Test("a report filed in an authority's area, and one an admin routes to another, each reach that authority by email once")
    func emailsTheAuthority() async throws {
        let deployment = try await TestDeployment.make()
        var smtpPort = PortBlock.find(count: 1)
        while (deployment.topology.busPort...deployment.httpPort).contains(smtpPort) { smtpPort = PortBlock.find(count: 1) }
        let sink = try PythonFixture("smtp_sink.py", arguments: ["\(smtpPort)", "0"], log: deployment.root.appendingPathComponent("smtp.log"))
        defer { sink.kill() }
        try await sink.awaitLine("READY")

        deployment.extraArguments["notifications"] = ["--smtp-host", "127.0.0.1", "--smtp-port", "\(smtpPort)", "--smtp-from", "noreply@example.org"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let filed = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report())
        let id = try #require((try filed.json()["report"] as? [String: Any])?["id"] as? String, "\(filed.text)")
        let queued = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(["category": "noise", "latitude": 43.5297, "longitude": 5.4474]))
        let queuedID = try #require((try queued.json()["report"] as? [String: Any])?["id"] as? String, "\(queued.text)")
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        #expect(try await HTTP.send("POST", "\(base)/v1/reports/\(queuedID)/route", json: ["jurisdictionId": "ofb"], token: admin.accessToken).status == 200)

        func messages() -> [String] {
            sink.output.lines.joined(separator: "\n").components(separatedBy: "MESSAGE\n").dropFirst().map { $0.components(separatedBy: "\nEND").first ?? "" }
        }
        let both = try await eventually("two authority emails", timeout: .seconds(30), interval: .milliseconds(100)) { messages().count >= 2 ? messages() : nil }
        let city = try #require(both.first { $0.contains("To: <signalements@marseille.example>") }, "\(both)")
        #expect(city.contains(id) && city.contains("illegal_dumping") && city.contains("filed this report in your area"))
        #expect(!city.contains("temoin@example.org"), "the reporter's contact is not sent")
        let agency = try #require(both.first { $0.contains("To: <signalement@ofb.example>") }, "\(both)")
        #expect(agency.contains(queuedID) && agency.contains("administrator has sent you"))
        _ = deployment.stopAll()
        #expect(messages().count == 2, "each once")
    }
}
