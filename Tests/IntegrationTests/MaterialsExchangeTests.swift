import EcoConfig
import Foundation
import Testing

/// The materials exchange end to end over HTTP against the real processes: surplus and demand,
/// the proposal both sides accept, the handover with the food lots' QR code and PIN, tonnes reused
/// in reporting; the hazardous rules, the community feed and its subscribers.
@Suite("Materials exchange over HTTP", .serialized)
struct MaterialsExchangeTests {
    static func demand(_ codes: [String], organisation: String? = nil, maximumKg: Double = 2000) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        var json: [String: Any] = [
            "lerCodes": codes, "title": "Matériaux pour chantier", "minimumKg": 100, "maximumKg": maximumKg,
            "location": ["latitude": 43.29, "longitude": 5.38, "address": "Atelier, Marseille"], "maximumDistanceKm": 30,
            "neededFrom": formatter.string(from: Date()), "neededUntil": formatter.string(from: Date().addingTimeInterval(14 * 86_400)),
            "wantsTransport": true,
        ]
        if let organisation { json["organisationId"] = organisation }
        return json
    }

    static func deployment() async throws -> TestDeployment {
        let deployment = try await TestDeployment.make(matchers: 2)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.2", "--share-after", "3", "--proposal-timeout", "600"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        return deployment
    }

    @Test("surplus meets demand: proposed, accepted by both, handed over with QR code and PIN; reporting shows tonnes reused and CO2e")
    func exchange() async throws {
        let deployment = try await Self.deployment()
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let giver = try await HTTPSession.signUp(base, "materials-giver@example.org", roles: ["merchant"])
        let taker = try await HTTPSession.signUp(base, "materials-taker@example.org", roles: ["merchant"])
        let stranger = try await HTTPSession.signUp(base, "materials-stranger@example.org", roles: ["merchant"])

        let wood = try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing(), token: giver.accessToken)
        #expect(wood.status == 201, "\(wood.text)")
        let listingID = try #require(try wood.json()["id"] as? String)
        // Photos, as for lots: checked by their bytes, stored by content hash, added by the publisher only.
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let photo = try await HTTP.send("POST", "\(base)/v1/listings/\(listingID)/photos", body: png, contentType: "image/png", token: giver.accessToken)
        #expect(photo.status == 201, "\(photo.text)")
        let hash = try #require((try photo.json()["photos"] as? [String])?.first)
        #expect(try await HTTP.get("\(base)/v1/photos/\(hash)").body == png)
        #expect(try await HTTP.send("POST", "\(base)/v1/listings/\(listingID)/photos", body: png, contentType: "image/png", token: stranger.accessToken).status == 403)
        #expect(try await HTTP.send("POST", "\(base)/v1/listings/\(listingID)/photos", body: Data("not an image".utf8), contentType: "image/png",
                                    token: giver.accessToken).errorField == "photo")
        let wanted = try await HTTP.send("POST", "\(base)/v1/demands", json: Self.demand(["17 02 01"]), token: taker.accessToken)
        #expect(wanted.status == 201, "\(wanted.text)")

        // The matcher proposes 2 t of the 3 t (all the demand asked), with its logistics plan.
        let proposal = try await eventually("a proposal for the taker") { () -> [String: Any]? in
            let items = try await HTTP.get("\(base)/v1/proposals", token: taker.accessToken).json()["items"] as? [[String: Any]]
            return items?.first
        }
        let proposalID = try #require(proposal["id"] as? String)
        #expect(proposal["listingId"] as? String == listingID)
        #expect(proposal["quantityKg"] as? Double == 2000)
        #expect(proposal["status"] as? String == "proposed")
        #expect(proposal["suggestsMission"] as? Bool == true)
        let mission = try #require(proposal["suggestedMission"] as? [String: Any], "a suggested collector mission: \(proposal)")
        #expect((mission["pickup"] as? [String: Any])?["address"] as? String == "Quai d'Arenc, Marseille")
        #expect((mission["dropOff"] as? [String: Any])?["address"] as? String == "Atelier, Marseille")
        #expect(mission["quantityKg"] as? Double == 2000)
        #expect((proposal["distanceKm"] as? Double ?? 99) < 5)
        #expect(try await HTTP.get("\(base)/v1/proposals/\(proposalID)", token: giver.accessToken).status == 200)
        #expect(try await HTTP.get("\(base)/v1/proposals/\(proposalID)", token: stranger.accessToken).status == 404)
        #expect(try await HTTP.send("POST", "\(base)/v1/proposals/\(proposalID)/accept", json: [:], token: stranger.accessToken).status == 404)

        let giverAnswer = try await HTTP.send("POST", "\(base)/v1/proposals/\(proposalID)/accept", json: [:], token: giver.accessToken)
        #expect(giverAnswer.status == 202, "\(giverAnswer.text)")
        #expect(try giverAnswer.json()["side"] as? String == "listing")
        let takerAnswer = try await HTTP.send("POST", "\(base)/v1/proposals/\(proposalID)/accept", json: [:], token: taker.accessToken)
        #expect(try takerAnswer.json()["side"] as? String == "demand")
        _ = try await eventually("the proposal to be confirmed") { () -> Bool? in
            try await HTTP.get("\(base)/v1/proposals/\(proposalID)", token: taker.accessToken).json()["status"] as? String == "confirmed" ? true : nil
        }
        let late = try await HTTP.send("POST", "\(base)/v1/proposals/\(proposalID)/decline", json: [:], token: taker.accessToken)
        #expect(late.status == 409 && late.errorCode == "proposal_closed")

        // The handover: the same QR code + PIN flow as food lots, the proposal id as the reservation id.
        let code = try await eventually("the handover's pickup code") { () -> [String: Any]? in
            let reply = try await HTTP.get("\(base)/v1/reservations/\(proposalID)/pickup-code", token: taker.accessToken)
            return reply.status == 200 ? try reply.json() : nil
        }
        let token = try #require(code["token"] as? String)
        let pin = try #require(code["pin"] as? String)
        let qr = try await HTTP.get("\(base)/v1/reservations/\(proposalID)/qr.png", token: taker.accessToken)
        #expect(try ZBar.decode(qr.body) == token)
        let refused = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": token, "pin": pin], token: stranger.accessToken)
        #expect(refused.errorCode == "wrong_merchant")
        let validated = try await eventually("the pickup validator to know the handover") { () -> HTTP.Reply? in
            let reply = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": token, "pin": pin], token: giver.accessToken)
            return reply.errorCode == "unknown_reservation" ? nil : reply
        }
        #expect(validated.status == 200, "\(validated.text)")

        let kpis = try await eventually("reporting to count the operation") { () -> [String: Any]? in
            let materials = try await HTTP.get("\(base)/v1/kpis").json()["materials"] as? [String: Any]
            return materials?["operations"] as? Int == 1 ? materials : nil
        }
        #expect(kpis["tonnesReused"] as? Double == 2)
        #expect(kpis["co2eAvoidedKg"] as? Double == 200)
        #expect(kpis["factorVersions"] as? [String] == ["reuse-2026.1"])
        let whole = try await HTTP.get("\(base)/v1/kpis").json()
        #expect(whole["pickups"] as? Int == 0 && whole["co2eAvoidedKg"] as? Double == 0, "a materials handover is not a food pickup")
        let totals = whole["totals"] as? [String: Any]
        #expect(totals?["co2eAvoidedKg"] as? Double == 200 && totals?["weightDivertedKg"] as? Double == 2000, "the totals count it: \(whole)")
        _ = try await eventually("the proposal to be completed") { () -> Bool? in
            try await HTTP.get("\(base)/v1/proposals/\(proposalID)", token: giver.accessToken).json()["status"] as? String == "completed" ? true : nil
        }
        let notified = try await eventually("both sides to hear of the handover") { () -> Bool? in
            let kinds = try await HTTP.get("\(base)/v1/me/notifications", token: giver.accessToken).json()["items"] as? [[String: Any]]
            return kinds?.contains { $0["kind"] as? String == "operation.completed" } == true ? true : nil
        }
        #expect(notified)
        _ = deployment.stopAll()
    }

    @Test("hazardous waste goes only to a licensed operator and is never shared; unmatched surplus is shared and subscribers hear of it")
    func hazardousAndSharing() async throws {
        let deployment = try await Self.deployment()
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let giver = try await HTTPSession.signUp(base, "hazard-giver@example.org", roles: ["merchant"])
        let operatorAccount = try await HTTPSession.signUp(base, "hazard-operator@example.org", roles: ["merchant"])
        let neighbour = try await HTTPSession.signUp(base, "feed-neighbour@example.org")
        let organisation = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": "Traitement Sud", "kind": "company"], token: operatorAccount.accessToken)
        let organisationID = try #require(try organisation.json()["id"] as? String, "\(organisation.text)")

        #expect(try await HTTP.send("POST", "\(base)/v1/me/subscriptions", json: ["chapters": ["17"], "latitude": 43.3, "longitude": 5.4, "radiusKm": 0],
                                    token: neighbour.accessToken).errorField == "radiusKm")
        let subscribed = try await HTTP.send("POST", "\(base)/v1/me/subscriptions", json: ["chapters": ["17"], "latitude": 43.3, "longitude": 5.4, "radiusKm": 25],
                                             token: neighbour.accessToken)
        #expect(subscribed.status == 201, "\(subscribed.text)")

        let toxic = try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing(
            ["kind": "waste", "lerCode": "17 05 03*", "treatmentOperation": "D9", "quantity": 500, "unit": "kg", "title": "Terres polluées"]), token: giver.accessToken)
        let toxicID = try #require(try toxic.json()["id"] as? String, "\(toxic.text)")
        let wanted = try await HTTP.send("POST", "\(base)/v1/demands", json: Self.demand(["170503"], organisation: organisationID), token: operatorAccount.accessToken)
        #expect(wanted.status == 201, "\(wanted.text)")
        let plain = try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing(["lerCode": "170405", "title": "Ferraille"]), token: giver.accessToken)
        let plainID = try #require(try plain.json()["id"] as? String)

        // The plain listing, unmatched, is shared after 3 s; the hazardous one, older still, never is.
        let feed = try await eventually("the plain listing on the community feed") { () -> [[String: Any]]? in
            let items = try await HTTP.get("\(base)/v1/listings/shared").json()["items"] as? [[String: Any]]
            return items?.isEmpty == false ? items : nil
        }
        let sharedIDs = feed.compactMap { ($0["listing"] as? [String: Any])?["id"] as? String }
        #expect(sharedIDs == [plainID])
        // Many rounds have run since the operator's demand: without a licence, nothing was proposed.
        let none = try await HTTP.get("\(base)/v1/proposals", token: operatorAccount.accessToken).json()["items"] as? [Any]
        #expect(none?.isEmpty == true)
        _ = try await eventually("the subscriber to hear of the shared listing") { () -> Bool? in
            let items = try await HTTP.get("\(base)/v1/me/notifications", token: neighbour.accessToken).json()["items"] as? [[String: Any]]
            return items?.contains { $0["kind"] as? String == "listing.shared" && ($0["links"] as? [String: String])?["listingId"] == plainID } == true ? true : nil
        }

        #expect(try await HTTP.send("POST", "\(base)/v1/organisations/\(organisationID)/licences", json: ["chapters": ["17"], "licenceNumber": "X"],
                                    token: giver.accessToken).status == 403)
        #expect(try await HTTP.send("POST", "\(base)/v1/organisations/\(organisationID)/licences", json: ["chapters": ["21"], "licenceNumber": "X"],
                                    token: admin.accessToken).errorField == "chapters")
        let licence = try await HTTP.send("POST", "\(base)/v1/organisations/\(organisationID)/licences",
                                          json: ["chapters": ["17"], "licenceNumber": "ICPE-13-2026-0042"], token: admin.accessToken)
        #expect(licence.status == 201, "\(licence.text)")
        let proposal = try await eventually("a proposal for the licensed operator") { () -> [String: Any]? in
            let items = try await HTTP.get("\(base)/v1/proposals", token: operatorAccount.accessToken).json()["items"] as? [[String: Any]]
            return items?.first
        }
        #expect(proposal["listingId"] as? String == toxicID)
        #expect(proposal["hazardous"] as? Bool == true)
        #expect(proposal["treatmentOperation"] as? String == "D9")
        #expect(proposal["quantityKg"] as? Double == 500)
        #expect(try await HTTP.send("POST", "\(base)/v1/organisations/no-such-organisation/licences", json: ["chapters": ["17"], "licenceNumber": "X"],
                                    token: admin.accessToken).status == 404)
        _ = deployment.stopAll()
    }
}
