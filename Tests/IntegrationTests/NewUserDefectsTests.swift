import Foundation
import Testing

/// Defects a new user met (issue 10), each checked over the real processes.
@Suite("What a new user tripped on", .serialized)
struct NewUserDefectsTests {
    @Test("enum errors list the allowed values; control characters are refused by field; API keys say accountId; Open311 tells how to get a key; times name their zone; no pickup before the window")
    func clearAnswers() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "defects-shop@example.org", roles: ["merchant"])

        // 6: an unknown category names the field and lists what is allowed, not Swift's message.
        let category = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(category: "prepared"), token: merchant.accessToken)
        #expect(category.status == 400 && category.errorField == "category", "\(category.text)")
        let message = category.error["message"] as? String ?? ""
        #expect(message.contains("bakery") && message.contains("prepared_meals") && !message.contains("Cannot initialize"), "\(message)")

        // 9: a NUL (or any control character but line breaks and tabs) in a text field is refused.
        var withNul = LotsTests.lot()
        withNul["title"] = "Pain\u{0}du jour"
        let nul = try await HTTP.send("POST", "\(base)/v1/lots", json: withNul, token: merchant.accessToken)
        #expect(nul.status == 400 && nul.errorField == "title", "\(nul.text)")
        var nested = LotsTests.lot()
        nested["location"] = ["latitude": 43.2965, "longitude": 5.3698, "address": "Quai\u{7}du Port"]
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: nested, token: merchant.accessToken).errorField == "location.address")
        var multiline = LotsTests.lot()
        multiline["description"] = "Pains\nviennoiseries\tet brioches"
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: multiline, token: merchant.accessToken).status == 201, "line breaks and tabs are text")

        // 17: API keys answer accountId, as every other reply.
        let key = try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "till"], token: merchant.accessToken)
        let info = try #require(try key.json()["key"] as? [String: Any], "\(key.text)")
        #expect(info["accountId"] as? String == merchant.accountID && info["accountID"] == nil)

        // 16: Open311 discovery says what docs/open311.md says: the authority makes its own key.
        let discovery = try await HTTP.get("\(base)/open311/discovery.json")
        #expect(discovery.text.contains("municipality or association role makes its own api_key"), "\(discovery.text)")
        // 23: notification texts name the time zone of the times they give.
        let customer = try await HTTPSession.signUp(base, "defects-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Zone lot"), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String)
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken)
        #expect(reserved.status == 201)

        // 2: an hour before the window opens, the counter is told so, with its own reason.
        let code = try #require(try reserved.json()["pickupCode"] as? [String: Any])
        let early = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": code["token"] ?? "", "pin": code["pin"] ?? ""], token: merchant.accessToken)
        #expect(early.status == 409 && early.errorCode == "window_not_started", "\(early.text)")
        let body = try await eventually("the reservation's notification") { () -> String? in
            let items = try await HTTP.get("\(base)/v1/me/notifications", token: customer.accessToken).json()["items"] as? [[String: Any]]
            return items?.first?["body"] as? String
        }
        #expect(body.contains("(Paris time)"), "\(body)")
        _ = deployment.stopAll()
    }
}
