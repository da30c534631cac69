import Foundation
import Testing

/// Issue 10 over the real processes: sign-in throttling that no stranger can turn into a lockout,
/// errors that name the field of a bad value, and a merchant's own lots and counter.
@Suite("What a new user tripped on: sign-in, bad values, the merchant's counter", .serialized)
struct NewUserCounterTests {
    @Test("wrong passwords slow down their address only, with Retry-After; the counter's address still signs in")
    func signInThrottle() async throws {
        let deployment = try await TestDeployment.make()
        // The test plays several client addresses through X-Forwarded-For from a trusted proxy.
        deployment.extraArguments["gateway"] = ["--trusted-proxies", "127.0.0.1"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        _ = try await HTTPSession.signUp(base, "counter-shop@example.org", roles: ["merchant"])
        func logIn(_ password: String, from address: String) async throws -> HTTP.Reply {
            try await HTTP.send(
                "POST", "\(base)/v1/auth/login", json: ["email": "counter-shop@example.org", "password": password],
                headers: ["X-Forwarded-For": address])
        }
        #expect(try await logIn(HTTPSession.password, from: "198.51.100.10").status == 200, "the shop's counter signs in")
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(try await logIn("not the password at all", from: "203.0.113.66").status) }
        #expect(statuses == [401, 401, 401, 429], "three free wrong guesses, then a wait: \(statuses)")
        let refused = try await logIn(HTTPSession.password, from: "203.0.113.66")
        #expect(refused.status == 429 && refused.errorCode == "rate_limited", "\(refused.text)")
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1, "every 429 says when to come back: \(refused.headers)")
        // The guesser's address waits; the shop does not.
        #expect(try await logIn(HTTPSession.password, from: "198.51.100.10").status == 200)
        #expect(try await logIn(HTTPSession.password, from: "192.0.2.44").status == 200, "a new address is not locked out either")

        // 18: Open311 media_url is the photo's absolute URL: from the Host the client used, or
        // behind the trusted proxy from X-Forwarded-Proto and X-Forwarded-Host.
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<512).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let filed = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(["photos": [["contentType": "image/png", "data": png.base64EncodedString()]]]))
        let report = try #require(try filed.json()["report"] as? [String: Any], "\(filed.text)")
        let reportID = try #require(report["id"] as? String)
        let hash = try #require((report["photos"] as? [String])?.first)
        func mediaURL(_ headers: [String: String]) async throws -> String? {
            let reply = try await HTTP.send("GET", "\(base)/open311/v2/requests/\(reportID).json", headers: headers)
            return (try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])?.first?["media_url"] as? String
        }
        let direct = try await mediaURL([:])
        #expect(direct == "\(base)/v1/photos/\(hash)")
        #expect(try await HTTP.get(try #require(direct)).body == png, "the link serves the photo")
        let proxied = try await mediaURL(["X-Forwarded-Proto": "https", "X-Forwarded-Host": "reports.example.org"])
        #expect(proxied == "https://reports.example.org/v1/photos/\(hash)")
        let injected = try await mediaURL(["X-Forwarded-Host": "evil.example/phish?"])
        #expect(injected?.hasPrefix("http://localhost/") == true, "a host that is not one is not put in a link: \(injected ?? "nil")")
        _ = deployment.stopAll()
    }

    @Test("a bad value in valid JSON names its field; a date alone is taken as midnight UTC; an unknown lot is refused at once; merchants list their lots and counter")
    func valuesAndCounter() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "own-lots@example.org", roles: ["merchant"])
        let rival = try await HTTPSession.signUp(base, "other-lots@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "counter-customer@example.org")

        // 5: the field and what it expects, not "the body is not valid JSON".
        var fractional = LotsTests.lot()
        fractional["baskets"] = 2.5
        let baskets = try await HTTP.send("POST", "\(base)/v1/lots", json: fractional, token: merchant.accessToken)
        #expect(baskets.status == 400 && baskets.errorField == "baskets", "\(baskets.text)")
        #expect((baskets.error["message"] as? String ?? "").contains("whole number"), "\(baskets.text)")
        var tomorrow = LotsTests.lot()
        tomorrow["pickupStart"] = "tomorrow"
        let date = try await HTTP.send("POST", "\(base)/v1/lots", json: tomorrow, token: merchant.accessToken)
        #expect(date.status == 400 && date.errorField == "pickupStart", "\(date.text)")
        #expect((date.error["message"] as? String ?? "").contains("ISO 8601 date-time such as 2027-06-30T00:00:00Z"), "\(date.text)")
        var nested = LotsTests.lot()
        nested["location"] = ["latitude": 43.2965, "longitude": 5.3698, "address": 12]
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: nested, token: merchant.accessToken).errorField == "location.address")
        let notJSON = try await HTTP.send("POST", "\(base)/v1/lots", body: Data("{\"baskets\": 2,".utf8), contentType: "application/json", token: merchant.accessToken)
        #expect(notJSON.status == 400 && notJSON.errorCode == "invalid_body", "broken JSON is still called so: \(notJSON.text)")
        // A date alone is midnight UTC.
        let days = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: Date().addingTimeInterval(3 * 86_400))
        let day = String(format: "%04d-%02d-%02d", days.year!, days.month!, days.day!)
        var dated = LotsTests.lot(title: "Dated lot", baskets: 3)
        dated["pickupStart"] = day
        dated["pickupEnd"] = "\(day)T06:00:00Z"
        let accepted = try await HTTP.send("POST", "\(base)/v1/lots", json: dated, token: merchant.accessToken)
        #expect(accepted.status == 201, "\(accepted.text)")
        let datedDraft = try accepted.json()["draft"] as? [String: Any]
        #expect(datedDraft?["pickupStart"] as? String == "\(day)T00:00:00Z", "\(accepted.text)")

        // 11: an unknown lot is refused as soon as ingest says it has none, not after a wait for it.
        let started = ContinuousClock.now
        let unknown = try await HTTP.send("POST", "\(base)/v1/lots/\(UUID().uuidString.lowercased())/reservations", json: ["baskets": 1], token: customer.accessToken)
        #expect(unknown.status == 404, "\(unknown.text)")
        #expect(ContinuousClock.now - started < .milliseconds(1500), "the worker no longer waits 2 s for a lot that does not exist")

        // 20: the merchant's lots, newest first, with baskets left; the counter's waiting reservations.
        let paid = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Counter lot", baskets: 4), token: merchant.accessToken)
        let lotID = try #require(try paid.json()["id"] as? String)
        _ = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Rival lot"), token: rival.accessToken)
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 3], token: customer.accessToken)
        #expect(reserved.status == 201, "\(reserved.text)")
        let reservationID = try #require((try reserved.json()["reservation"] as? [String: Any])?["id"] as? String)
        let left = try await eventually("GET /v1/lots/{id} to show the baskets left") { () -> Int? in
            let lot = try await HTTP.get("\(base)/v1/lots/\(lotID)").json()
            return (lot["basketsLeft"] as? Int).flatMap { $0 == 1 ? $0 : nil }
        }
        #expect(left == 1)
        let mine = try await HTTP.get("\(base)/v1/me/lots?limit=1", token: merchant.accessToken)
        let firstPage = try mine.json()
        let items = try #require(firstPage["items"] as? [[String: Any]], "\(mine.text)")
        #expect(items.map { $0["id"] as? String } == [lotID] && items.first?["basketsLeft"] as? Int == 1, "newest first: \(mine.text)")
        let cursor = try #require(firstPage["nextCursor"] as? String)
        let second = try await HTTP.get("\(base)/v1/me/lots?limit=50&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", token: merchant.accessToken).json()
        let older = (second["items"] as? [[String: Any]] ?? []).compactMap { $0["draft"] as? [String: Any] }.compactMap { $0["title"] as? String }
        #expect(older == ["Dated lot"], "the rival's lot is not listed: \(second)")
        #expect(try await HTTP.get("\(base)/v1/me/lots?status=sold", token: merchant.accessToken).errorField == "status")
        #expect(try await HTTP.get("\(base)/v1/me/lots", token: customer.accessToken).status == 403)

        let counter = try await HTTP.get("\(base)/v1/me/lots/\(lotID)/reservations?status=active", token: merchant.accessToken)
        let waiting = try #require(try counter.json()["items"] as? [[String: Any]], "\(counter.text)")
        #expect(waiting.map { $0["id"] as? String } == [reservationID] && waiting.first?["baskets"] as? Int == 3, "\(counter.text)")
        #expect(waiting.first?["takerId"] == nil && waiting.first?["isFree"] == nil, "the counter does not see who took it, nor whether it was free")
        #expect(try await HTTP.get("\(base)/v1/me/lots/\(lotID)/reservations", token: rival.accessToken).status == 404)
        _ = deployment.stopAll()
    }

    @Test("jurisdictions and categories are listed; GET /v1/reports pages the public reports with its filters")
    func catalogueAndReports() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"

        // 12: the jurisdictions, the categories each handles, and whether an organisation is bound.
        func jurisdictions() async throws -> [String: [String: Any]] {
            let items = try await HTTP.get("\(base)/v1/jurisdictions").json()["items"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: items.compactMap { item in (item["id"] as? String).map { ($0, item) } })
        }
        let before = try await jurisdictions()
        #expect(Set(before.keys) == ["marseille", "metropole-aix-marseille", "dreal-paca", "ofb"], "\(before)")
        #expect(before["marseille"]?["categories"] as? [String] == ["abandoned_vehicle", "illegal_dumping", "noise"])
        #expect(before["marseille"]?["organisationBound"] as? Bool == false)
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let city = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "Ville de Marseille", "kind": "municipality"], token: admin.accessToken)
        let cityID = try #require(try city.json()["id"] as? String, "\(city.text)")
        #expect(try await HTTP.send("PUT", "\(base)/v1/jurisdictions/marseille/organisation", json: ["organisationId": cityID], token: admin.accessToken).status == 200)
        #expect(try await jurisdictions()["marseille"]?["organisationBound"] as? Bool == true)
        let categories = try await HTTP.get("\(base)/v1/categories").json()
        func codes(_ list: String) -> [String] { (categories[list] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
        #expect(codes("lots").contains("prepared_meals") && codes("materials") == ["material", "equipment", "waste"], "\(categories)")
        #expect(codes("reports").contains("noise") && codes("units").contains("m3"), "\(categories)")

        // 15: reports newest first, filtered, paged.
        var filed: [String] = []
        for changes in [[:], ["latitude": 43.2965, "longitude": 5.3698], ["category": "noise", "latitude": 43.5297, "longitude": 5.4474]] as [[String: Any]] {
            let reply = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(changes))
            filed.append(try #require((try reply.json()["report"] as? [String: Any])?["id"] as? String, "\(reply.text)"))
        }
        func ids(_ query: String) async throws -> [String] {
            let reply = try await HTTP.get("\(base)/v1/reports?\(query)")
            #expect(reply.status == 200, "\(query): \(reply.text)")
            return (try reply.json()["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await ids("") == filed.reversed(), "newest first")
        #expect(try await ids("category=noise") == [filed[2]])
        #expect(try await ids("jurisdiction=unrouted") == [filed[2]])
        #expect(try await ids("jurisdiction=marseille&status=open") == [filed[1], filed[0]])
        #expect(try await ids("bbox=5.40,43.45,5.50,43.60") == [filed[2]], "the box around Aix")
        #expect(try await ids("from=2030-01-01").isEmpty)
        #expect(try await ids("to=2030-01-01T00:00:00Z").count == 3)
        let first = try await HTTP.get("\(base)/v1/reports?limit=2").json()
        let cursor = try #require(first["nextCursor"] as? String)
        #expect(try await ids("limit=2&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") == [filed[0]])
        // 19: a signed-in citizen follows the reports they filed or supported.
        let citizen = try await HTTPSession.signUp(base, "follows-reports@example.org")
        let own = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(["category": "abandoned_vehicle", "contact": NSNull()]), token: citizen.accessToken)
        let ownID = try #require((try own.json()["report"] as? [String: Any])?["id"] as? String, "\(own.text)")
        let mine = try await HTTP.get("\(base)/v1/me/reports", token: citizen.accessToken)
        #expect((try mine.json()["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ownID], "\(mine.text)")
        #expect(try await HTTP.get("\(base)/v1/me/reports").status == 401)
        let text = try await HTTP.get("\(base)/v1/reports").text
        #expect(!text.contains("temoin@example.org"), "the list is the public view")
        #expect(try await HTTP.get("\(base)/v1/reports?bbox=5,43").errorField == "bbox")
        #expect(try await HTTP.get("\(base)/v1/reports?status=lost").errorField == "status")
        #expect(try await HTTP.get("\(base)/v1/reports?jurisdiction=atlantis").errorField == "jurisdiction")
        #expect(try await HTTP.get("\(base)/v1/reports?from=yesterday").errorField == "from")

        // A filer without an account erases their own filing with its token (issue 15).
        let marker = "t" + UUID().uuidString.prefix(8).lowercased()
        let anonymous = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report([
            "category": "asbestos", "latitude": 43.3, "longitude": 5.4, "description": "Plaques cassées \(marker)",
            "contact": ["email": "\(marker)@example.org", "phone": "+33 6 00 00 00 00"],
        ]))
        let anonymousReport = try anonymous.json()
        let token = try #require(anonymousReport["filingId"] as? String, "\(anonymous.text)")
        let anonymousID = try #require((anonymousReport["report"] as? [String: Any])?["id"] as? String)
        let erasedFiling = try await HTTP.send("DELETE", "\(base)/v1/report-filings/\(token)")
        #expect(erasedFiling.status == 200, "\(erasedFiling.text)")
        #expect(try await HTTP.get("\(base)/v1/reports/\(anonymousID)").json()["description"] as? String == "[erased]")
        #expect(try await HTTP.send("DELETE", "\(base)/v1/report-filings/\(UUID().uuidString.lowercased())").status == 404)
        let left = try await eventually("no file to keep the erased filing", timeout: .seconds(20), interval: .milliseconds(250)) { () -> [String]? in
            let hits = try ErasureTests.scan(deployment, for: [marker])
            return hits.isEmpty ? hits : nil
        }
        #expect(left.isEmpty)
        _ = deployment.stopAll()
    }

    @Test("an association verifies a person by the code they show or the email they gave, and the email's answer never tells whether it has an account")
    func verifyWithoutAccountIds() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let association = try await HTTPSession.signUp(base, "epicerie-solidaire@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(association.accountID)/roles", json: ["role": "association"], token: admin.accessToken).status == 200)
        let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(90 * 86_400))
        func verify(_ body: [String: Any]) async throws -> HTTP.Reply {
            try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications", json: body.merging(["validUntil": until]) { old, _ in old }, token: association.accessToken)
        }
        func isBeneficiary(_ person: HTTPSession) async throws -> Bool {
            try await HTTP.get("\(base)/v1/me", token: person.accessToken).json()["beneficiary"] != nil
        }

        // 13: by the code the person shows from their own account, read out with spaces and in lower case.
        let shown = try await HTTPSession.signUp(base, "shows-a-code@example.org")
        let issued = try await HTTP.get("\(base)/v1/me/verification-code", token: shown.accessToken).json()
        let code = try #require(issued["code"] as? String, "\(issued)")
        #expect(code.count == 9 && code.contains("-") && issued["expiresAt"] != nil, "\(code)")
        let spoken = code.lowercased().replacingOccurrences(of: "-", with: " ")
        let byCode = try await verify(["verificationCode": spoken])
        let verifiedID = try byCode.json()["accountId"] as? String
        #expect(byCode.status == 201 && verifiedID == shown.accountID, "\(byCode.text)")
        #expect(try await isBeneficiary(shown))
        let again = try await verify(["verificationCode": code])
        #expect(again.status == 404 && again.errorField == "verificationCode", "a code works once: \(again.text)")

        // By email: the same 202 and body for an address with an account and one without.
        let emailed = try await HTTPSession.signUp(base, "gave-an-email@example.org")
        let known = try await verify(["email": "Gave-An-Email@example.org"])
        let unknown = try await verify(["email": "nobody-here@example.org"])
        #expect(known.status == 202 && unknown.status == 202, "\(known.text) \(unknown.text)")
        #expect(known.body == unknown.body, "the answer does not tell whether the address has an account")
        _ = try await eventually("the person with the email to be verified") { try await isBeneficiary(emailed) ? true : nil }
        let list = try await HTTP.get("\(base)/v1/beneficiaries", token: association.accessToken).json()["items"] as? [[String: Any]] ?? []
        #expect(Set(list.compactMap { $0["accountId"] as? String }) == [shown.accountID, emailed.accountID], "nobody was made for the unknown address")

        // Exactly one way to say who; a bad date is refused before any address is looked up.
        #expect(try await verify(["email": "a@example.org", "accountId": shown.accountID]).errorField == "accountId")
        #expect(try await verify([:]).errorField == "accountId")
        let past = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
        for email in ["gave-an-email@example.org", "nobody-here@example.org"] {
            let refused = try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications", json: ["email": email, "validUntil": past], token: association.accessToken)
            #expect(refused.status == 400 && refused.errorField == "validUntil", "\(refused.text)")
        }
        _ = deployment.stopAll()
    }
}
