import Foundation
import Testing

/// The people and things the access matrix runs against: one of each role the product knows, a
/// merchant of another organisation, and resources that belong to some of them (a lot, a
/// reservation, a mission, a listing and its proposal, an API key, a webhook, a report).
struct MatrixWorld {
    enum Identity: String, CaseIterable {
        case anonymous, customer, beneficiary, merchant, otherMerchant, collector, association, municipality, admin
    }

    let base: String
    let sessions: [Identity: HTTPSession]
    /// Path parameter values, by operation path and parameter name (then by name alone).
    let parameters: [String: String]
    let spareAccountID: String

    func token(_ identity: Identity) -> String? { sessions[identity]?.accessToken }

    static func make(base: String) async throws -> MatrixWorld {
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        func grant(_ session: HTTPSession, _ role: String, _ email: String) async throws -> HTTPSession {
            let granted = try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(session.accountID)/roles", json: ["role": role], token: admin.accessToken)
            #expect(granted.status == 200, "\(granted.text)")
            return try await HTTPSession.logIn(base, email)
        }
        func organisation(_ session: HTTPSession, _ name: String, _ kind: String) async throws -> String {
            let made = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": name, "kind": kind], token: session.accessToken)
            return try #require(try made.json()["id"] as? String, "\(made.text)")
        }
        func id(_ reply: HTTP.Reply, _ path: String...) throws -> String {
            var value: Any? = try reply.json()
            for key in path { value = (value as? [String: Any])?[key] }
            return try #require(value as? String, "\(reply.text)")
        }
        let merchant = try await HTTPSession.signUp(base, "matrix-shop@example.org", roles: ["merchant"])
        let organisationID = try await organisation(merchant, "Boulangerie du Port", "shop")
        let otherMerchant = try await HTTPSession.signUp(base, "matrix-other-shop@example.org", roles: ["merchant"])
        _ = try await organisation(otherMerchant, "Épicerie d'en face", "shop")
        let customer = try await HTTPSession.signUp(base, "matrix-customer@example.org")
        let beneficiary = try await HTTPSession.verifiedBeneficiary(base, "matrix-beneficiary@example.org")
        let collector = try await HTTPSession.signUp(base, "matrix-collector@example.org", roles: ["collector"])
        let association = try await grant(try await HTTPSession.signUp(base, "matrix-association@example.org"), "association", "matrix-association@example.org")
        let city = try await ReportAuthority.make(base, admin: admin, email: "matrix-city@marseille.example")
        try await city.bind(base, to: "marseille", admin: admin)
        let spare = try await HTTPSession.signUp(base, "matrix-spare@example.org")
        // A member of the shop's organisation, whom the owner removes (the spare account is erased earlier).
        let member = try await HTTPSession.signUp(base, "matrix-member@example.org")
        let added = try await HTTP.send("POST", "\(base)/v1/organisations/\(organisationID)/members", json: ["email": "matrix-member@example.org", "role": "member"],
                                        token: merchant.accessToken)
        #expect(added.status == 201, "\(added.text)")
        // The association verifies the member: a beneficiary record it may read.
        let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
        #expect(try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications", json: ["accountId": member.accountID, "validUntil": until],
                                    token: association.accessToken).status == 201)

        let lot = try id(try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Matrix lot", baskets: 5, startIn: -600), token: merchant.accessToken), "id")
        let reservation = try id(try await HTTP.send("POST", "\(base)/v1/lots/\(lot)/reservations", json: ["baskets": 1], token: customer.accessToken), "reservation", "id")
        let freeLot = try id(try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Matrix free lot", price: 0, baskets: 2, startIn: -600), token: merchant.accessToken), "id")
        let mission = try id(try await HTTP.send("POST", "\(base)/v1/missions", json: ["lotId": freeLot], token: association.accessToken), "mission", "id")
        #expect(try await HTTP.send("POST", "\(base)/v1/missions/\(mission)/accept", token: collector.accessToken).status == 200)
        let listing = try id(try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing(), token: merchant.accessToken), "id")
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: MaterialsExchangeTests.demand(["17 02 01"]), token: association.accessToken).status == 201)
        let proposal = try await eventually("a proposal between the shop and the association", timeout: .seconds(30)) { () -> String? in
            let items = try await HTTP.get("\(base)/v1/proposals", token: association.accessToken).json()["items"] as? [[String: Any]]
            return items?.first?["id"] as? String
        }
        let key = try id(try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "till"], token: merchant.accessToken), "key", "id")
        let webhook = try id(try await HTTP.send("POST", "\(base)/v1/jurisdictions/marseille/webhooks",
                                                 json: ["url": "http://127.0.0.1:9/hook", "secret": "matrix-webhook-secret-0123456789"], token: city.session.accessToken), "id")
        let report = try id(try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report()), "report", "id")

        return MatrixWorld(
            base: base,
            sessions: [
                .customer: customer, .beneficiary: beneficiary, .merchant: merchant, .otherMerchant: otherMerchant, .collector: collector,
                .association: association, .municipality: city.session, .admin: admin,
            ],
            parameters: [
                "/v1/admin/accounts/{id}#id": spare.accountID, "/v1/admin/accounts/{id}/roles#id": spare.accountID,
                "/v1/admin/accounts/{id}/roles/{role}#id": spare.accountID, "/v1/admin/erasures/{id}#id": spare.accountID,
                "/v1/api-keys/{id}#id": key, "/v1/jurisdictions/{id}/organisation#id": "marseille",
                "/v1/jurisdictions/{id}/webhooks#id": "marseille", "/v1/jurisdictions/{id}/webhooks/{webhookId}#id": "marseille",
                "/v1/jurisdictions/{id}/webhooks/{webhookId}/deliveries#id": "marseille",
                "/v1/listings/{id}#id": listing, "/v1/listings/{id}/photos#id": listing,
                "/v1/lots/{id}#id": lot, "/v1/lots/{id}/photos#id": lot, "/v1/lots/{id}/reservations#id": lot,
                "/v1/me/lots/{id}/reservations#id": lot,
                "/v1/missions/{id}#id": mission, "/v1/missions/{id}/accept#id": mission, "/v1/missions/{id}/delivery#id": mission,
                "/v1/missions/{id}/pickup-code#id": mission, "/v1/missions/{id}/delivery-code#id": mission,
                "/v1/organisations/{id}#id": organisationID, "/v1/organisations/{id}/licences#id": organisationID,
                "/v1/organisations/{id}/members#id": organisationID, "/v1/organisations/{id}/members/{accountId}#id": organisationID,
                "/v1/proposals/{id}#id": proposal, "/v1/proposals/{id}/accept#id": proposal, "/v1/proposals/{id}/decline#id": proposal,
                "/v1/reports/{id}#id": report, "/v1/reports/{id}/route#id": report, "/v1/reports/{id}/status#id": report,
                "/open311/v2/requests/{file}#file": "\(report).json", "/open311/v2/services/{file}#file": "illegal_dumping.json",
                "webhookId": webhook, "purpose": "email_notifications", "role": "collector", "accountId": member.accountID,
                "reservations#id": reservation, "/v1/beneficiaries/{accountId}#accountId": member.accountID,
            ],
            spareAccountID: spare.accountID)
    }

    /// The value of a path parameter for `path`.
    func value(of parameter: String, in path: String) -> String {
        if let value = parameters["\(path)#\(parameter)"] ?? parameters[parameter] { return value }
        if path.hasPrefix("/v1/reservations/") { return parameters["reservations#id"]! }
        return "unknown-\(parameter)"
    }
}
