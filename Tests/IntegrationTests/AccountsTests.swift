import EcoConfig
import Foundation
import Testing

/// Accounts, roles, sessions, API keys, organisations and beneficiary verification, over HTTP
/// against the real processes.
@Suite("Accounts and roles over HTTP", .serialized)
struct AccountsTests {
    @Test("sign-up, sign-in, refresh rotation, sign-out, and clear errors for bad input")
    func sessions() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/healthz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"

        let merchant = try await HTTPSession.signUp(base, "Baker@Example.org", roles: ["merchant"])
        let me = try await HTTP.get("\(base)/v1/me", token: merchant.accessToken)
        #expect(me.status == 200)
        #expect((try me.json()["account"] as? [String: Any])?["email"] as? String == "baker@example.org")
        #expect(try me.json()["roles"] as? [String] == ["merchant"])

        // Bad input: each refused with its field named, nothing created.
        let terms = try await HTTPSession.termsVersion(base)
        let cases: [([String: Any], Int, String, String?)] = [
            (["email": "baker@example.org", "password": "a long enough password", "displayName": "Again", "termsVersion": terms], 409, "email_taken", "email"),
            (["email": "not-an-address", "password": "a long enough password", "displayName": "X", "termsVersion": terms], 400, "invalid_field", "email"),
            (["email": "x@example.org", "password": "short", "displayName": "X", "termsVersion": terms], 400, "invalid_field", "password"),
            (["email": "x@example.org", "password": String(repeating: "é", count: 40), "displayName": "X", "termsVersion": terms], 400, "invalid_field", "password"),
            (["email": "x@example.org", "password": "a long enough password", "displayName": "X", "roles": ["admin"], "termsVersion": terms], 400, "invalid_field", "roles"),
            (["email": "x@example.org", "password": "a long enough password", "displayName": "X", "roles": ["wizard"], "termsVersion": terms], 400, "invalid_field", "roles[0]"),
            (["email": "x@example.org", "password": "a long enough password", "termsVersion": terms], 400, "missing_field", "displayName"),
            (["email": "x@example.org", "password": "a long enough password", "displayName": "X"], 400, "missing_field", "termsVersion"),
            (["email": "x@example.org", "password": "a long enough password", "displayName": "X", "termsVersion": "1999-01-01"], 400, "invalid_field", "termsVersion"),
            (["email": "x@example.org", "password": "eleven char", "displayName": "X", "termsVersion": terms], 400, "invalid_field", "password"),
            (["email": "x@example.org", "password": "Qwertyuiop123!", "displayName": "X", "termsVersion": terms], 400, "invalid_field", "password"),
            (["email": "x@example.org", "password": "aaaaaaaaaaaaaaaa", "displayName": "X", "termsVersion": terms], 400, "invalid_field", "password"),
            (["email": "x@example.org", "password": 12, "displayName": "X", "termsVersion": terms], 400, "invalid_field", "password"),
            // Strict decoding: a misspelt or unsupported field is refused, never dropped.
            (["email": "x@example.org", "password": "a long enough password", "displayName": "X", "termsVersion": terms, "role": "admin"], 400, "unknown_field", "role"),
            (["email": "x@example.org", "password": "a long enough password", "displayName": "X", "termsVersion": terms, "emailNotification": true], 400, "unknown_field", "emailNotification"),
        ]
        for (body, status, code, field) in cases {
            let reply = try await HTTP.send("POST", "\(base)/v1/auth/signup", json: body)
            #expect(reply.status == status, "\(body): \(reply.text)")
            #expect(reply.errorCode == code, "\(body): \(reply.text)")
            #expect(reply.errorField == field, "\(body): \(reply.text)")
        }
        let notJSON = try await HTTP.send("POST", "\(base)/v1/auth/signup", body: Data("{email".utf8), contentType: "application/json")
        #expect(notJSON.status == 400 && notJSON.errorCode == "invalid_body")
        let wrongType = try await HTTP.send("POST", "\(base)/v1/auth/signup", body: Data("email=x".utf8), contentType: "application/x-www-form-urlencoded")
        #expect(wrongType.status == 415)
        let tooLarge = try await HTTP.send("POST", "\(base)/v1/auth/signup", body: Data(repeating: 0x20, count: 2 << 20), contentType: "application/json")
        #expect(tooLarge.status == 413)

        // Sign-in.
        let wrong = try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": "baker@example.org", "password": "not the password"])
        #expect(wrong.status == 401 && wrong.errorCode == "invalid_credentials")
        let unknown = try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": "nobody@example.org", "password": "not the password"])
        #expect(unknown.status == 401 && unknown.errorCode == "invalid_credentials", "the same answer whether or not the email exists")
        let second = try await HTTPSession.logIn(base, "baker@example.org", "a long enough password")
        #expect(second.accountID == merchant.accountID)

        // Without or with a bad token.
        #expect(try await HTTP.get("\(base)/v1/me").status == 401)
        let forged = try await HTTP.get("\(base)/v1/me", token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA")
        #expect(forged.status == 401 && forged.errorCode == "invalid_token")

        // Refresh rotates: the new pair works, the old refresh token replayed closes the session.
        let refreshed = try await HTTP.send("POST", "\(base)/v1/auth/refresh", json: ["refreshToken": second.refreshToken])
        #expect(refreshed.status == 200)
        let rotated = try HTTPSession(refreshed)
        #expect(rotated.refreshToken != second.refreshToken)
        #expect(try await HTTP.get("\(base)/v1/me", token: rotated.accessToken).status == 200)
        let replayed = try await HTTP.send("POST", "\(base)/v1/auth/refresh", json: ["refreshToken": second.refreshToken])
        #expect(replayed.status == 401 && replayed.errorCode == "refresh_reused")
        #expect(try await HTTP.get("\(base)/v1/me", token: rotated.accessToken).status == 401, "the whole session is revoked")

        // Sign-out revokes the session's access tokens at once; other sessions stay.
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/logout", token: merchant.accessToken).status == 204)
        #expect(try await HTTP.get("\(base)/v1/me", token: merchant.accessToken).status == 401)
        let third = try await HTTPSession.logIn(base, "baker@example.org", "a long enough password")
        #expect(try await HTTP.get("\(base)/v1/me", token: third.accessToken).status == 200)

        // Password guessing is slowed down: three free guesses from an address, then waits that grow.
        var statuses: [Int] = []
        for _ in 0..<4 {
            statuses.append(try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": "baker@example.org", "password": "guess guess guess"]).status)
        }
        #expect(statuses == [401, 401, 401, 429], "\(statuses)")

        // The password is nowhere in clear: not in the gateway's file, not in its log.
        let files = try FileManager.default.contentsOfDirectory(atPath: deployment.dataDirectory.path).filter { $0.hasPrefix("gateway.sqlite") }
        for file in files {
            let bytes = try Data(contentsOf: deployment.dataDirectory.appendingPathComponent(file))
            #expect(bytes.range(of: Data("a long enough password".utf8)) == nil, "\(file)")
        }
        #expect(!deployment.logs("gateway").contains("a long enough password"))
        _ = deployment.stopAll()
    }

    @Test("roles gate every endpoint; admins grant roles; associations verify beneficiaries; organisations and API keys")
    func rolesAndVerification() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/healthz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"

        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let customer = try await HTTPSession.signUp(base, "ana@example.org")
        let association = try await HTTPSession.signUp(base, "food-bank@example.org")
        let merchant = try await HTTPSession.signUp(base, "grocer@example.org", roles: ["merchant"])

        // 401 without a token, 403 without the role.
        #expect(try await HTTP.get("\(base)/v1/admin/accounts").status == 401)
        let forbidden = try await HTTP.get("\(base)/v1/admin/accounts", token: customer.accessToken)
        #expect(forbidden.status == 403 && forbidden.errorCode == "forbidden")

        // Admin lists accounts page by page.
        let firstPage = try await HTTP.get("\(base)/v1/admin/accounts?limit=2", token: admin.accessToken)
        #expect(firstPage.status == 200)
        let cursor = try #require(try firstPage.json()["nextCursor"] as? String)
        #expect((try firstPage.json()["items"] as? [Any])?.count == 2)
        let rest = try await HTTP.get("\(base)/v1/admin/accounts?limit=200&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: admin.accessToken)
        #expect((try rest.json()["items"] as? [Any])?.count == 2, "4 accounts in all")
        #expect(try rest.json()["nextCursor"] == nil || (try rest.json()["nextCursor"] is NSNull))
        #expect(try await HTTP.get("\(base)/v1/admin/accounts?limit=0", token: admin.accessToken).errorField == "limit")

        // Admin grants the association role; beneficiary cannot be granted directly.
        let grant = try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(association.accountID)/roles", json: ["role": "association"], token: admin.accessToken)
        #expect(grant.status == 200)
        let direct = try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(customer.accountID)/roles", json: ["role": "beneficiary"], token: admin.accessToken)
        #expect(direct.status == 400 && direct.errorField == "role")

        // The association verifies the customer as a beneficiary.
        let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
        let notAllowed = try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications", json: ["accountId": customer.accountID, "validUntil": until], token: merchant.accessToken)
        #expect(notAllowed.status == 403)
        let past = try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications",
                                       json: ["accountId": customer.accountID, "validUntil": "2020-01-01T00:00:00Z"], token: association.accessToken)
        #expect(past.status == 400 && past.errorField == "validUntil", "\(past.text)")
        let verified = try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications",
                                           json: ["accountId": customer.accountID, "validUntil": until], token: association.accessToken)
        #expect(verified.status == 201, "\(verified.text)")
        let code = try #require(try verified.json()["code"] as? String)
        #expect(code.range(of: #"^\d{4}-BEN-[2-9A-HJKMNP-Z]{5}$"#, options: .regularExpression) != nil, "\(code)")
        #expect(try verified.json()["verifiedBy"] as? String == association.accountID)
        let again = try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications",
                                        json: ["accountId": merchant.accountID, "validUntil": until], token: association.accessToken)
        let otherCode = try #require(try again.json()["code"] as? String)
        #expect(otherCode != code)
        let beneficiaryMe = try await HTTP.get("\(base)/v1/me", token: customer.accessToken)
        #expect((try beneficiaryMe.json()["roles"] as? [String])?.contains("beneficiary") == true)
        #expect((try beneficiaryMe.json()["beneficiary"] as? [String: Any])?["code"] as? String == code)
        #expect(((try beneficiaryMe.json()["beneficiary"] as? [String: Any]).map { Set($0.keys) }) == ["code", "verifiedBy", "verifiedAt", "validUntil"],
                "only who verified, when and until when")

        // Organisations: the merchant acts for a shop with several members.
        let shop = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "Boulangerie du Port", "kind": "shop"], token: merchant.accessToken)
        #expect(shop.status == 201)
        let shopID = try #require(try shop.json()["id"] as? String)
        #expect(try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "X", "kind": "shop"], token: customer.accessToken).status == 403)
        #expect(try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "X", "kind": "castle"], token: merchant.accessToken).errorField == "kind")
        let added = try await HTTP.send("POST", "\(base)/v1/organisations/\(shopID)/members", json: ["email": "ana@example.org"], token: merchant.accessToken)
        #expect(added.status == 201)
        #expect(try await HTTP.send("POST", "\(base)/v1/organisations/\(shopID)/members", json: ["email": "ana@example.org"], token: merchant.accessToken).status == 409)
        let asMember = try await HTTP.get("\(base)/v1/organisations/\(shopID)", token: customer.accessToken)
        #expect(asMember.status == 200)
        #expect((try asMember.json()["members"] as? [Any])?.count == 2)
        #expect(try await HTTP.get("\(base)/v1/organisations/\(shopID)", token: association.accessToken).status == 404, "outsiders do not see it")
        #expect(try await HTTP.send("POST", "\(base)/v1/organisations/\(shopID)/members", json: ["email": "food-bank@example.org"], token: customer.accessToken).status == 403)
        #expect(try await HTTP.send("DELETE", "\(base)/v1/organisations/\(shopID)/members/\(merchant.accountID)", token: merchant.accessToken).status == 409, "last owner")

        // API keys: a municipality's system acts with the municipality's roles until revoked.
        let city = try await HTTPSession.signUp(base, "city-hall@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(city.accountID)/roles", json: ["role": "municipality"], token: admin.accessToken).status == 200)
        let cityAgain = try await HTTPSession.logIn(base, "city-hall@example.org", "a long enough password")
        let created = try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "reports connector"], token: cityAgain.accessToken)
        #expect(created.status == 201, "\(created.text)")
        let apiKey = try #require(try created.json()["apiKey"] as? String)
        let keyID = try #require((try created.json()["key"] as? [String: Any])?["id"] as? String)
        let asMachine = try await HTTP.get("\(base)/v1/me", token: apiKey)
        #expect(asMachine.status == 200)
        #expect((try asMachine.json()["roles"] as? [String])?.contains("municipality") == true)
        let listed = try await HTTP.get("\(base)/v1/api-keys", token: cityAgain.accessToken)
        #expect(!listed.text.contains(apiKey), "the secret is never shown again")
        #expect(try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "x"], token: customer.accessToken).status == 403)
        #expect(try await HTTP.send("DELETE", "\(base)/v1/api-keys/\(keyID)", token: cityAgain.accessToken).status == 204)
        #expect(try await HTTP.get("\(base)/v1/me", token: apiKey).status == 401)
        _ = deployment.stopAll()
    }
}
