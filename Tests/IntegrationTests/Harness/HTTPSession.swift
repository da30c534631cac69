import Foundation
import Testing

/// A signed-in account in a test: its id and tokens, and the calls that make one.
struct HTTPSession {
    static let password = "a long enough password"

    let accountID: String
    let accessToken: String
    let refreshToken: String

    init(_ reply: HTTP.Reply) throws {
        let json = try reply.json()
        accountID = try #require((json["account"] as? [String: Any])?["id"] as? String, "\(reply.text)")
        accessToken = try #require(json["accessToken"] as? String)
        refreshToken = try #require(json["refreshToken"] as? String)
    }

    /// The terms version the gateway asks sign-ups to accept.
    static func termsVersion(_ base: String) async throws -> String {
        let reply = try await HTTP.get("\(base)/v1/terms")
        return try #require(try reply.json()["version"] as? String, "\(reply.text)")
    }

    static func signUp(_ base: String, _ email: String, roles: [String] = ["customer"], emailNotifications: Bool = false) async throws -> HTTPSession {
        let reply = try await HTTP.send("POST", "\(base)/v1/auth/signup", json: [
            "email": email, "password": password, "displayName": "Test \(email)", "roles": roles,
            "termsVersion": try await termsVersion(base), "emailNotifications": emailNotifications,
        ])
        #expect(reply.status == 201, "\(reply.text)")
        return try HTTPSession(reply)
    }

    static func logIn(_ base: String, _ email: String, _ password: String = HTTPSession.password) async throws -> HTTPSession {
        let reply = try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": email, "password": password])
        #expect(reply.status == 200, "\(reply.text)")
        return try HTTPSession(reply)
    }

    /// Signs up `email`, has an association (made by the admin) verify it, and returns its session.
    static func verifiedBeneficiary(_ base: String, _ email: String) async throws -> HTTPSession {
        let admin = try await logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let person = try await signUp(base, email)
        let associationEmail = "association-for-\(email)"
        let association = try await signUp(base, associationEmail)
        let grant = try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(association.accountID)/roles", json: ["role": "association"], token: admin.accessToken)
        #expect(grant.status == 200)
        let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
        let verified = try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications",
                                           json: ["accountId": person.accountID, "validUntil": until], token: association.accessToken)
        #expect(verified.status == 201, "\(verified.text)")
        return person
    }
}
