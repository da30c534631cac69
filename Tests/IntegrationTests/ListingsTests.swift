import EcoConfig
import Foundation
import GRDB
import Testing

/// Surplus listings with List of Waste codes, over HTTP against the real gateway and ingest.
@Suite("Surplus listings over HTTP", .serialized)
struct ListingsTests {
    static func listing(_ changes: [String: Any] = [:]) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        var json: [String: Any] = [
            "kind": "material", "lerCode": "17 02 01", "title": "Poutres en bois", "quantity": 3, "unit": "t",
            "condition": "used", "location": ["latitude": 43.31, "longitude": 5.37, "address": "Quai d'Arenc, Marseille"],
            "availableFrom": formatter.string(from: Date()), "availableUntil": formatter.string(from: Date().addingTimeInterval(30 * 86_400)),
            "terms": "donated",
        ]
        for (key, value) in changes { json[key] = value }
        return json
    }

    @Test("a company publishes surplus with its LER code; the hazard comes from the list; each gets an impact label")
    func publish() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/healthz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let company = try await HTTPSession.signUp(base, "demolition@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "someone@example.org")

        let wood = try await HTTP.send("POST", "\(base)/v1/listings", json: Self.listing(), token: company.accessToken)
        #expect(wood.status == 201, "\(wood.text)")
        let json = try wood.json()
        #expect(json["hazardous"] as? Bool == false)
        #expect(json["lerCode"] as? String == "170201")
        #expect(json["quantityKg"] as? Double == 3000)
        let impact = try #require(json["impact"] as? [String: Any])
        #expect(impact["co2eAvoidedKg"] as? Double == 300)
        #expect((impact["factor"] as? [String: Any])?["version"] as? String == "reuse-2026.1")

        // Hazardous: from the code, whatever the user wrote; it needs its treatment operation.
        let missing = try await HTTP.send("POST", "\(base)/v1/listings", json: Self.listing(["kind": "waste", "lerCode": "170503"]), token: company.accessToken)
        #expect(missing.status == 400 && missing.errorField == "treatmentOperation", "\(missing.text)")
        let hazardous = try await HTTP.send("POST", "\(base)/v1/listings",
                                            json: Self.listing(["kind": "waste", "lerCode": "170503", "treatmentOperation": "D9"]), token: company.accessToken)
        #expect(hazardous.status == 201)
        #expect(try hazardous.json()["hazardous"] as? Bool == true)
        #expect(try await HTTP.send("POST", "\(base)/v1/listings", json: Self.listing(["lerCode": "17 02 01*"]), token: company.accessToken).errorField == "lerCode")
        #expect(try await HTTP.send("POST", "\(base)/v1/listings", json: Self.listing(["lerCode": "12 34"]), token: company.accessToken).errorField == "lerCode")
        #expect(try await HTTP.send("POST", "\(base)/v1/listings", json: Self.listing(["unit": "barrels"]), token: company.accessToken).errorField == "unit")
        #expect(try await HTTP.send("POST", "\(base)/v1/listings", json: Self.listing(), token: customer.accessToken).status == 403)
        // Listings and demands, as lots and reports, lie inside the territory's service area.
        let abroad = try await HTTP.send(
            "POST", "\(base)/v1/listings", json: Self.listing(["location": ["latitude": 35.68, "longitude": 139.69, "address": "Tokyo"]]), token: company.accessToken)
        #expect(abroad.status == 400 && abroad.errorField == "location", "\(abroad.text)")
        var farDemand = MaterialsExchangeTests.demand(["170201"])
        farDemand["location"] = ["latitude": 45.76, "longitude": 4.84, "address": "Lyon"]
        let outside = try await HTTP.send("POST", "\(base)/v1/demands", json: farDemand, token: company.accessToken)
        #expect(outside.status == 400 && outside.errorField == "location", "\(outside.text)")

        // A demand: what is wanted, how much, where and when.
        let formatter = ISO8601DateFormatter()
        let demand: [String: Any] = [
            "lerCodes": ["170201", "17 02 03"], "chapters": ["15"], "title": "Bois et plastiques pour atelier", "minimumKg": 100, "maximumKg": 2000,
            "location": ["latitude": 43.29, "longitude": 5.38, "address": "Atelier, Marseille"], "maximumDistanceKm": 30,
            "neededFrom": formatter.string(from: Date()), "neededUntil": formatter.string(from: Date().addingTimeInterval(14 * 86_400)),
        ]
        let published = try await HTTP.send("POST", "\(base)/v1/demands", json: demand, token: company.accessToken)
        #expect(published.status == 201, "\(published.text)")
        #expect(try published.json()["lerCodes"] as? [String] == ["170201", "170203"])
        var bad = demand
        bad["lerCodes"] = ["170201", "nope"]
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: bad, token: company.accessToken).errorField == "lerCodes[1]")
        bad = demand
        bad["maximumKg"] = 10
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: bad, token: company.accessToken).errorField == "maximumKg")
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: demand, token: customer.accessToken).status == 403)

        let id = try #require(json["id"] as? String)
        #expect(try await HTTP.get("\(base)/v1/listings/\(id)", token: customer.accessToken).status == 200)
        let topics = try await deployment.database(of: ServiceInstance(.ingest)).read { db in
            try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox WHERE topic LIKE 'listing.%' OR topic LIKE 'demand.%' ORDER BY sequence")
        }
        #expect(topics == ["listing.published", "listing.published", "demand.published"])
        _ = deployment.stopAll()
    }
}
