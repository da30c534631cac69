import EcoConfig
import Foundation
import GRDB
import Testing

/// Citizen reports over HTTP against the real gateway and ingest: filing, routing, duplicates, and
/// no personal data in what anyone reads back.
@Suite("Environmental reports over HTTP", .serialized)
struct ReportsTests {
    static func report(_ changes: [String: Any] = [:]) -> [String: Any] {
        var json: [String: Any] = [
            "category": "illegal_dumping", "latitude": 43.2951, "longitude": 5.3740, "address": "Quai du Port, Marseille",
            "description": "Gravats et sacs déposés au pied de l'arbre", "contact": ["email": "temoin@example.org", "name": "Témoin"],
        ]
        for (key, value) in changes { json[key] = value }
        return json
    }

    @Test("filing: routed to the city, a second filing 30 m away supports it, bad input gets a 4xx, nothing personal is public")
    func filing() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let citizen = try await HTTPSession.signUp(base, "citizen@example.org")

        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<512).map { UInt8(truncatingIfNeeded: $0 * 13) })
        let filed = try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["photos": [["contentType": "image/png", "data": png.base64EncodedString()]]]),
                                        token: citizen.accessToken)
        #expect(filed.status == 201, "\(filed.text)")
        let report = try #require(try filed.json()["report"] as? [String: Any])
        let id = try #require(report["id"] as? String)
        #expect(report["jurisdictionId"] as? String == "marseille")
        #expect(report["status"] as? String == "open")
        let photo = try #require((report["photos"] as? [String])?.first)
        #expect(try await HTTP.get("\(base)/v1/photos/\(photo)").body == png)

        // Anonymous, 30 m away, same category: linked to the first, counted as support, and told so.
        let supporting = try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["latitude": 43.29537, "contact": NSNull()]))
        #expect(supporting.status == 200, "\(supporting.text)")
        #expect(try supporting.json()["linkedToExisting"] as? Bool == true)
        #expect(((try supporting.json()["report"] as? [String: Any])?["id"] as? String) == id)
        #expect(((try supporting.json()["message"] as? String) ?? "").contains("support"))

        let read = try await HTTP.get("\(base)/v1/reports/\(id)")
        #expect(read.status == 200)
        #expect(try read.json()["supporters"] as? Int == 1)
        #expect(!read.text.contains("temoin@example.org") && !read.text.contains(citizen.accountID), "no personal data: \(read.text)")
        #expect(try await HTTP.get("\(base)/v1/reports/nope").status == 404)

        #expect(try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["category": "smell"])).errorField == "category")
        #expect(try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["latitude": 43.5297, "longitude": 5.4474, "category": "noise"]))
            .status == 201, "inside the service area, nobody handles noise in Aix: the admin queue")
        #expect(try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["latitude": 40.71, "longitude": -74.0])).errorField == "latitude")
        #expect(try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["description": ""])).errorField == "description")
        #expect(try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["photos": [["contentType": "image/png", "data": "%%%"]]]))
            .errorField == "photos[0].data")
        #expect(try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["photos": [["contentType": "image/gif", "data": png.base64EncodedString()]]]))
            .status == 415)

        let events = try await deployment.database(of: ServiceInstance(.ingest)).read { db in
            try String.fetchAll(db, sql: "SELECT CAST(payload AS TEXT) FROM bus_outbox WHERE topic LIKE 'report.%' ORDER BY sequence")
        }
        #expect(events.count == 3)
        #expect(events.allSatisfy { !$0.contains("temoin@example.org") && !$0.contains(citizen.accountID) })

        // The admin queue holds the Aix report; an admin routes it by hand.
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        #expect(try await HTTP.get("\(base)/v1/admin/reports/queue", token: citizen.accessToken).status == 403)
        let queue = try await HTTP.get("\(base)/v1/admin/reports/queue", token: admin.accessToken).json()["items"] as? [[String: Any]]
        #expect(queue?.compactMap { $0["category"] as? String } == ["noise"])
        let queuedID = try #require(queue?.first?["id"] as? String)
        #expect(try await HTTP.send("POST", "\(base)/v1/reports/\(queuedID)/route", json: ["jurisdictionId": "atlantis"], token: admin.accessToken)
            .errorField == "jurisdictionId")
        let routed = try await HTTP.send("POST", "\(base)/v1/reports/\(queuedID)/route", json: ["jurisdictionId": "ofb"], token: admin.accessToken)
        #expect(try routed.json()["jurisdictionId"] as? String == "ofb", "\(routed.text)")
        #expect((try await HTTP.get("\(base)/v1/admin/reports/queue", token: admin.accessToken).json()["items"] as? [Any])?.isEmpty == true)
        _ = deployment.stopAll()
    }

    @Test("status: the bound authority moves a report forward, closing needs a reason, only an admin reopens; the history is public")
    func status() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let agent = try await HTTPSession.signUp(base, "agent@marseille.example")
        let stranger = try await HTTPSession.signUp(base, "stranger@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(agent.accountID)/roles", json: ["role": "municipality"], token: admin.accessToken).status == 200)
        let agentSession = try await HTTPSession.logIn(base, "agent@marseille.example")
        let city = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "Ville de Marseille", "kind": "municipality"], token: agentSession.accessToken)
        let cityID = try #require(try city.json()["id"] as? String, "\(city.text)")
        #expect(try await HTTP.send("PUT", "\(base)/v1/jurisdictions/marseille/organisation", json: ["organisationId": cityID], token: agentSession.accessToken).status == 403)
        #expect(try await HTTP.send("PUT", "\(base)/v1/jurisdictions/atlantis/organisation", json: ["organisationId": cityID], token: admin.accessToken).status == 404)
        #expect(try await HTTP.send("PUT", "\(base)/v1/jurisdictions/marseille/organisation", json: ["organisationId": cityID], token: admin.accessToken).status == 200)

        let filed = try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report())
        let id = try #require((try filed.json()["report"] as? [String: Any])?["id"] as? String, "\(filed.text)")
        func move(_ status: String, reason: String? = nil, as session: HTTPSession) async throws -> HTTP.Reply {
            var body: [String: Any] = ["status": status]
            if let reason { body["reason"] = reason }
            return try await HTTP.send("POST", "\(base)/v1/reports/\(id)/status", json: body, token: session.accessToken)
        }
        #expect(try await move("acknowledged", as: stranger).status == 403)
        #expect(try await move("acknowledged", as: agentSession).status == 200)
        #expect(try await move("in_progress", as: agentSession).status == 200)
        #expect(try await move("acknowledged", as: agentSession).status == 409, "never backwards")
        #expect(try await move("closed", as: agentSession).errorField == "reason")
        #expect(try await move("closed", reason: "Enlevé par les services de propreté", as: agentSession).status == 200)
        #expect(try await move("open", as: agentSession).status == 409, "the authority does not reopen")
        #expect(try await move("open", reason: "Le dépôt est revenu", as: admin).status == 200)
        #expect(try await move("sideways", as: agentSession).errorField == "status")

        let report = try await HTTP.get("\(base)/v1/reports/\(id)").json()
        let history = try #require(report["history"] as? [[String: Any]])
        #expect(history.compactMap { $0["status"] as? String } == ["open", "acknowledged", "in_progress", "closed", "open"])
        #expect(history.compactMap { $0["by"] as? String } == ["citizen", "marseille", "marseille", "marseille", "admin"])
        #expect(history[3]["reason"] as? String == "Enlevé par les services de propreté")
        #expect(history.allSatisfy { $0["at"] is String })
        let changes = try await deployment.database(of: ServiceInstance(.ingest)).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_outbox WHERE topic = 'report.status_changed'")
        }
        #expect(changes == 4)
        _ = deployment.stopAll()
    }

    @Test("filing is limited per hour: by address without signing in, by account with a session or an Open311 api_key; 429 says when to retry")
    func filingLimit() async throws {
        let deployment = try await TestDeployment.make()
        deployment.extraArguments["gateway"] = ["--filings-per-hour", "2", "--account-filings-per-hour", "3"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let reports = ReportFiler(base: base)
        _ = try await reports.file()
        _ = try await reports.file()
        let refused = try await HTTP.send("POST", "\(base)/v1/reports", json: Self.report(["latitude": 43.31]))
        #expect(refused.status == 429 && refused.errorCode == "rate_limited", "\(refused.text)")
        let wait = try #require(refused.header("Retry-After").flatMap { Int($0) })
        #expect(wait > 3500 && wait <= 3600)
        #expect(try await HTTP.get("\(base)/v1/reports/nope").status == 404, "reading is not limited")

        // An app's key counts against its account, and Open311 answers in its own error shape.
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let key = try #require(try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "app"], token: admin.accessToken).json()["apiKey"] as? String)
        var statuses: [Int] = []
        for index in 0..<4 {
            let reply = try await Open311Tests.post("\(base)/open311/v2/requests.json", [
                ("api_key", key), ("service_code", "noise"), ("lat", "\(43.30 + Double(index) * 0.001)"), ("long", "5.40"), ("description", "Chantier de nuit"),
            ])
            statuses.append(reply.status)
            if reply.status == 429 {
                #expect(try Open311Tests.list(reply).first?["code"] as? Int == 429 && reply.header("Retry-After") != nil, "\(reply.text)")
            }
        }
        #expect(statuses == [201, 201, 201, 429])
        _ = deployment.stopAll()
    }
}

