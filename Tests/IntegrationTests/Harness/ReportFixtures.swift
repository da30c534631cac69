import Foundation
import Testing

/// Files citizen reports over HTTP: each new one ~110 m north of the last, so none is a duplicate
/// of another, unless `support(_:)` files on purpose 30 m from one.
final class ReportFiler {
    let base: String
    /// How many new reports were filed: report number n lies at 43.2951 + n × 0.001.
    private(set) var filed = 0

    init(base: String) { self.base = base }

    /// Files a new report (in Marseille unless told otherwise); returns its id.
    func file(category: String = "illegal_dumping", latitude: Double? = nil, longitude: Double = 5.3740) async throws -> String {
        filed += 1
        let reply = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report([
            "category": category, "latitude": latitude ?? 43.2951 + Double(filed) * 0.001, "longitude": longitude, "contact": NSNull(),
        ]))
        #expect(reply.status == 201, "\(reply.text)")
        return try #require((try reply.json()["report"] as? [String: Any])?["id"] as? String, "\(reply.text)")
    }

    /// Files again 30 m from report number `near`: linked to it, `report.supported`.
    func support(_ near: Int) async throws {
        let reply = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report([
            "latitude": 43.2951 + Double(near) * 0.001 + 0.00027, "contact": NSNull(),
        ]))
        #expect(try reply.json()["linkedToExisting"] as? Bool == true, "\(reply.text)")
    }
}

/// A city's agent: an account with the municipality role and its organisation, which `bind` makes
/// the authority of a jurisdiction.
struct ReportAuthority {
    let session: HTTPSession
    let organisationId: String

    static func make(_ base: String, admin: HTTPSession, email: String) async throws -> ReportAuthority {
        let agent = try await HTTPSession.signUp(base, email)
        let granted = try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(agent.accountID)/roles", json: ["role": "municipality"], token: admin.accessToken)
        #expect(granted.status == 200, "\(granted.text)")
        let session = try await HTTPSession.logIn(base, email)
        let city = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "Ville de Marseille", "kind": "municipality"], token: session.accessToken)
        return ReportAuthority(session: session, organisationId: try #require(try city.json()["id"] as? String, "\(city.text)"))
    }

    func bind(_ base: String, to jurisdiction: String, admin: HTTPSession) async throws {
        let bound = try await HTTP.send("PUT", "\(base)/v1/jurisdictions/\(jurisdiction)/organisation", json: ["organisationId": organisationId], token: admin.accessToken)
        #expect(bound.status == 200, "\(bound.text)")
    }
}
