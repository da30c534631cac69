import EcoConfig
import Foundation
import GRDB
import Testing

/// The account lifecycle over HTTP on the real processes, with emails through a real SMTP server:
/// sessions, password change and reset, email change, consents, and the security headers.
@Suite("Account lifecycle over HTTP", .serialized)
struct AccountLifecycleTests {
    @Test("sessions are listed and closed one by one; a password change closes the others")
    func sessionsAndPasswordChange() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let first = try await HTTPSession.signUp(base, "sessions@example.org")
        let second = try await HTTPSession.logIn(base, "sessions@example.org")
        let third = try await HTTPSession.logIn(base, "sessions@example.org")
        let other = try await HTTPSession.signUp(base, "someone-else@example.org")

        let listed = try await HTTP.get("\(base)/v1/me/sessions", token: second.accessToken)
        #expect(listed.status == 200)
        let items = try #require(try listed.json()["items"] as? [[String: Any]])
        #expect(items.count == 3)
        #expect(items.filter { $0["current"] as? Bool == true }.count == 1)
        let currentID = try #require(items.first { $0["current"] as? Bool == true }?["id"] as? String)
        let ids = items.compactMap { $0["id"] as? String }

        // Closing one session ends its tokens only; others' sessions and unknown ids are 404.
        let thirdID = try await Self.sessionID(base, third)
        let firstID = try #require(ids.first { $0 != currentID && $0 != thirdID })
        #expect(try await HTTP.send("DELETE", "\(base)/v1/me/sessions/\(firstID)", token: other.accessToken).status == 404, "not theirs")
        #expect(try await HTTP.send("DELETE", "\(base)/v1/me/sessions/\(firstID)", token: second.accessToken).status == 204)
        #expect(try await HTTP.get("\(base)/v1/me", token: first.accessToken).status == 401)
        #expect(try await HTTP.send("DELETE", "\(base)/v1/me/sessions/\(firstID)", token: second.accessToken).status == 404, "already closed")
        #expect(try await HTTP.send("DELETE", "\(base)/v1/me/sessions/nope", token: second.accessToken).status == 404)
        #expect(try await HTTP.get("\(base)/v1/me/sessions").status == 401)

        // Password change: the current password is checked, the new one follows the rules.
        let wrong = try await HTTP.send("POST", "\(base)/v1/me/password", json: ["currentPassword": "not it at all", "newPassword": "a brand new passphrase"], token: second.accessToken)
        #expect(wrong.status == 403 && wrong.errorField == "currentPassword", "\(wrong.text)")
        let weak = try await HTTP.send("POST", "\(base)/v1/me/password", json: ["currentPassword": HTTPSession.password, "newPassword": "password1234"], token: second.accessToken)
        #expect(weak.status == 400 && weak.errorField == "newPassword", "\(weak.text)")
        let missing = try await HTTP.send("POST", "\(base)/v1/me/password", json: ["currentPassword": HTTPSession.password], token: second.accessToken)
        #expect(missing.status == 400 && missing.errorField == "newPassword")
        let changed = try await HTTP.send("POST", "\(base)/v1/me/password", json: ["currentPassword": HTTPSession.password, "newPassword": "a brand new passphrase"], token: second.accessToken)
        #expect(changed.status == 204, "\(changed.text)")
        #expect(try await HTTP.get("\(base)/v1/me", token: second.accessToken).status == 200, "the session that changed it stays")
        #expect(try await HTTP.get("\(base)/v1/me", token: third.accessToken).status == 401, "every other session is closed")
        let old = try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": "sessions@example.org", "password": HTTPSession.password])
        #expect(old.status == 401)
        _ = try await HTTPSession.logIn(base, "sessions@example.org", "a brand new passphrase")
        #expect(try await HTTP.get("\(base)/v1/me", token: other.accessToken).status == 200, "other people are untouched")
    }

    @Test("a password is reset with a single-use code sent by email; an address changes once confirmed at the new address")
    func resetAndEmailChange() async throws {
        let deployment = try await TestDeployment.make()
        let smtp = try await SMTPSink(outside: deployment)
        deployment.extraArguments["notifications"] = smtp.notificationsArguments
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let person = try await HTTPSession.signUp(base, "forgetful@example.org")
        _ = try await HTTPSession.signUp(base, "taken@example.org")

        // The same answer for an address with or without an account; only the real one gets mail.
        let asked = try await HTTP.send("POST", "\(base)/v1/auth/password-reset", json: ["email": "Forgetful@Example.org"])
        #expect(asked.status == 202)
        let unknown = try await HTTP.send("POST", "\(base)/v1/auth/password-reset", json: ["email": "nobody@example.org"])
        #expect(unknown.status == 202 && unknown.text == asked.text)
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/password-reset", json: ["email": "not an address"]).errorField == "email")
        let mail = try await smtp.awaitMessage(to: "forgetful@example.org", containing: "reset the password")
        let code = try #require(SMTPSink.code(in: mail), "\(mail)")

        let weak = try await HTTP.send("POST", "\(base)/v1/auth/password-reset/confirm", json: ["token": code, "newPassword": "short"])
        #expect(weak.status == 400 && weak.errorField == "newPassword")
        let forged = try await HTTP.send("POST", "\(base)/v1/auth/password-reset/confirm", json: ["token": String(code.reversed()), "newPassword": "my reset passphrase"])
        #expect(forged.status == 400 && forged.errorCode == "invalid_reset_token")
        let reset = try await HTTP.send("POST", "\(base)/v1/auth/password-reset/confirm", json: ["token": code, "newPassword": "my reset passphrase"])
        #expect(reset.status == 204, "\(reset.text)")
        let again = try await HTTP.send("POST", "\(base)/v1/auth/password-reset/confirm", json: ["token": code, "newPassword": "another passphrase here"])
        #expect(again.status == 400 && again.errorCode == "invalid_reset_token", "single use")
        #expect(try await HTTP.get("\(base)/v1/me", token: person.accessToken).status == 401, "a reset closes every session")
        let signedIn = try await HTTPSession.logIn(base, "forgetful@example.org", "my reset passphrase")
        #expect(!smtp.messages.contains { $0.contains("To: <nobody@example.org>") })

        // Email change: password checked, taken addresses refused, the code goes to the new address.
        let change = { (json: [String: Any]) in try await HTTP.send("POST", "\(base)/v1/me/email", json: json, token: signedIn.accessToken) }
        #expect(try await change(["email": "new-home@example.org", "password": "not my password"]).status == 403)
        #expect(try await change(["email": "taken@example.org", "password": "my reset passphrase"]).status == 409)
        #expect(try await change(["email": "forgetful@example.org", "password": "my reset passphrase"]).errorField == "email")
        #expect(try await change(["email": "new-home@example.org", "password": "my reset passphrase"]).status == 202)
        let confirmation = try await smtp.awaitMessage(to: "new-home@example.org", containing: "confirm")
        let confirmCode = try #require(SMTPSink.code(in: confirmation), "\(confirmation)")
        let before = try await HTTP.get("\(base)/v1/me", token: signedIn.accessToken).json()["account"] as? [String: Any]
        #expect(before?["email"] as? String == "forgetful@example.org", "unchanged until confirmed")
        let confirmed = try await HTTP.send("POST", "\(base)/v1/auth/email-confirmation", json: ["token": confirmCode])
        let confirmedEmail = try confirmed.json()["email"] as? String
        #expect(confirmed.status == 200 && confirmedEmail == "new-home@example.org", "\(confirmed.text)")
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/email-confirmation", json: ["token": confirmCode]).errorCode == "invalid_confirmation_token")
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": "forgetful@example.org", "password": "my reset passphrase"]).status == 401)
        _ = try await HTTPSession.logIn(base, "new-home@example.org", "my reset passphrase")

        // Notifications write to the new address from now on.
        let contacts = try deployment.database(of: ServiceInstance(.notifications))
        _ = try await eventually("notifications to learn the new address") {
            try await contacts.read { db in
                try String.fetchOne(db, sql: "SELECT email FROM contacts WHERE account_id = ?", arguments: [signedIn.accountID])
            } == "new-home@example.org" ? true : nil
        }
    }

    @Test("consents are recorded with version and time, withdrawable, and notification emails need one")
    func consents() async throws {
        let deployment = try await TestDeployment.make()
        let smtp = try await SMTPSink(outside: deployment)
        deployment.extraArguments["notifications"] = smtp.notificationsArguments
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let terms = try await HTTPSession.termsVersion(base)
        let quiet = try await HTTPSession.signUp(base, "quiet@example.org")
        let keen = try await HTTPSession.signUp(base, "keen@example.org", emailNotifications: true)

        let given = try await HTTP.get("\(base)/v1/me/consents", token: quiet.accessToken)
        let current = try #require(try given.json()["current"] as? [[String: Any]])
        #expect(current.map { $0["purpose"] as? String } == ["terms_of_use"])
        #expect(current.first?["version"] as? String == terms && current.first?["grantedAt"] is String)
        #expect((try await HTTP.get("\(base)/v1/me/consents", token: keen.accessToken).json()["current"] as? [[String: Any]])?.count == 2)

        // Bad requests name what is wrong; the terms are not withdrawn but by leaving.
        #expect(try await HTTP.send("PUT", "\(base)/v1/me/consents/email_notifications", json: ["version": "1999"], token: quiet.accessToken).errorField == "version")
        #expect(try await HTTP.send("PUT", "\(base)/v1/me/consents/marketing", json: ["version": terms], token: quiet.accessToken).status == 404)
        #expect(try await HTTP.send("DELETE", "\(base)/v1/me/consents/terms_of_use", token: quiet.accessToken).status == 409)
        #expect(try await HTTP.send("DELETE", "\(base)/v1/me/consents/email_notifications", token: quiet.accessToken).status == 404, "never given")
        #expect(try await HTTP.get("\(base)/v1/me/consents").status == 401)

        // The keen customer withdraws, the quiet one grants: each reservation email follows the consent.
        let withdrawn = try await HTTP.send("DELETE", "\(base)/v1/me/consents/email_notifications", token: keen.accessToken)
        let history = try #require(try withdrawn.json()["history"] as? [[String: Any]])
        #expect(history.contains { $0["purpose"] as? String == "email_notifications" && $0["withdrawnAt"] is String })
        #expect(try await HTTP.send("PUT", "\(base)/v1/me/consents/email_notifications", json: ["version": terms], token: quiet.accessToken).status == 200)
        let merchant = try await HTTPSession.signUp(base, "consent-shop@example.org", roles: ["merchant"])
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Consent lot", baskets: 4), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String)
        for person in [keen, quiet] {
            #expect(try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: person.accessToken).status == 201)
        }
        _ = try await smtp.awaitMessage(to: "quiet@example.org", containing: "Reservation confirmed")
        let notifications = try deployment.database(of: ServiceInstance(.notifications))
        _ = try await eventually("the withdrawn consent to hold the keen customer's email back") {
            try await notifications.read { db in
                try String.fetchOne(db, sql: "SELECT status FROM email_outbox WHERE account_id = ?", arguments: [keen.accountID])
            } == "no_consent" ? true : nil
        }
        #expect(!smtp.messages.contains { $0.contains("To: <keen@example.org>") })
        let inbox = try await HTTP.get("\(base)/v1/me/notifications", token: keen.accessToken)
        #expect((try inbox.json()["items"] as? [[String: Any]])?.isEmpty == false, "still told in-app")
    }

    @Test("every answer carries the security headers, errors included")
    func securityHeaders() async throws {
        let deployment = try await TestDeployment.make()
        try await deployment.startAnswering(ServiceInstance(.gateway))
        try await deployment.awaitHTTP("/healthz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        for reply in [try await HTTP.get("\(base)/healthz"), try await HTTP.get("\(base)/no/such/route"), try await HTTP.get("\(base)/v1/me"),
                      try await HTTP.send("POST", "\(base)/v1/auth/login", body: Data("{".utf8), contentType: "application/json")] {
            #expect(reply.header("Content-Security-Policy")?.contains("default-src 'none'") == true, "\(reply.status)")
            #expect(reply.header("Content-Security-Policy")?.contains("unsafe-inline") == false)
            #expect(reply.header("X-Content-Type-Options") == "nosniff")
            #expect(reply.header("X-Frame-Options") == "DENY")
            #expect(reply.header("Referrer-Policy") == "no-referrer")
        }
    }

    /// The id of the session behind a token, from its own listing.
    static func sessionID(_ base: String, _ session: HTTPSession) async throws -> String? {
        let items = try await HTTP.get("\(base)/v1/me/sessions", token: session.accessToken).json()["items"] as? [[String: Any]]
        return items?.first { $0["current"] as? Bool == true }?["id"] as? String
    }
}
