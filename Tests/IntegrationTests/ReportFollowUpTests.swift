import Foundation
import Testing

/// A report's filers and supporters hear of its status changes: in the app when signed in, by
/// email when they agreed to it or left a contact address, through a real SMTP server.
@Suite("Report follow-ups to the people who filed them", .serialized)
struct ReportFollowUpTests {
    @Test("a status change reaches the signed-in filer's inbox and email, and the contact address a supporter left, once each")
    func statusChangesReachFilers() async throws {
        let deployment = try await TestDeployment.make()
        let sink = try await SMTPSink(outside: deployment)
        deployment.extraArguments["notifications"] = sink.notificationsArguments
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"

        let citizen = try await HTTPSession.signUp(base, "follows-by-email@example.org", emailNotifications: true)
        let filed = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(["contact": NSNull()]), token: citizen.accessToken)
        let reportID = try #require((try filed.json()["report"] as? [String: Any])?["id"] as? String, "\(filed.text)")
        // Someone else, not signed in, files the same thing there: support, with a contact address.
        let support = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(["contact": ["email": "voisin@example.org"]]))
        #expect(try support.json()["linkedToExisting"] as? Bool == true, "\(support.text)")

        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let moved = try await HTTP.send("POST", "\(base)/v1/reports/\(reportID)/status", json: ["status": "acknowledged"], token: admin.accessToken)
        #expect(moved.status == 200, "\(moved.text)")

        let note = try await eventually("the filer's inbox to tell of the change") { () -> [String: Any]? in
            let items = try await HTTP.get("\(base)/v1/me/notifications", token: citizen.accessToken).json()["items"] as? [[String: Any]] ?? []
            return items.first { $0["kind"] as? String == "report.status_changed" }
        }
        #expect((note["body"] as? String ?? "").contains("is now acknowledged"), "\(note)")
        func messages() -> [String] { sink.messages }
        let followUps = try await eventually("both follow-up emails", timeout: .seconds(30), interval: .milliseconds(100)) { () -> [String]? in
            let found = messages().filter { $0.contains("is now acknowledged") }
            return found.count >= 2 ? found : nil
        }
        #expect(followUps.contains { $0.contains("To: <follows-by-email@example.org>") }, "\(followUps)")
        #expect(followUps.contains { $0.contains("To: <voisin@example.org>") }, "\(followUps)")
        // A second change tells them again; the first is not repeated.
        _ = try await HTTP.send("POST", "\(base)/v1/reports/\(reportID)/status", json: ["status": "in_progress"], token: admin.accessToken)
        _ = try await eventually("the second change's emails", timeout: .seconds(30), interval: .milliseconds(100)) { () -> Bool? in
            messages().filter { $0.contains("is now in progress") }.count >= 2 ? true : nil
        }
        _ = deployment.stopAll()
        #expect(messages().filter { $0.contains("is now acknowledged") }.count == 2, "each person once per change")
    }
}
