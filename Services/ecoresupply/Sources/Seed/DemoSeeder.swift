import Foundation

/// Fills a running deployment with the demo territory through the public API, as real users would:
/// sign-ups, an association verifying beneficiaries, shops publishing lots, reservations, and
/// pickups validated at the counter with token and PIN, so that the KPIs are alive.
/// Running it again adds fresh lots and pickups for the same people.
struct DemoSeeder {
    let client: GatewayClient
    let adminEmail: String
    let adminPassword: String
    let log: @Sendable (String) -> Void

    struct Session {
        let id: String
        let token: String
    }

    func run() async throws {
        let admin = try await logIn(adminEmail, adminPassword)
        let association = try await account(DemoTerritory.association.email, name: DemoTerritory.association.name, roles: ["customer"])
        try await client.send("POST", "/v1/admin/accounts/\(association.id)/roles", json: ["role": "association"], token: admin.token)
        let associationSession = try await logIn(DemoTerritory.association.email, DemoTerritory.password)

        var beneficiaries: [Session] = []
        let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(180 * 86_400))
        for email in DemoTerritory.beneficiaries {
            let person = try await account(email, name: email.components(separatedBy: ".").first!.capitalized, roles: ["customer"])
            try await client.send("POST", "/v1/beneficiaries/verifications", json: ["accountId": person.id, "validUntil": until], token: associationSession.token)
            beneficiaries.append(person)
        }
        var customers: [Session] = []
        for email in DemoTerritory.customers {
            customers.append(try await account(email, name: email.components(separatedBy: "@").first!.capitalized, roles: ["customer"]))
        }
        log("  people: \(customers.count) customers, \(beneficiaries.count) verified beneficiaries, 1 association")

        var lots = 0, reservations = 0, pickups = 0
        let formatter = ISO8601DateFormatter()
        for (shopIndex, shop) in DemoTerritory.shops.enumerated() {
            let merchant = try await account(shop.email, name: shop.owner, roles: ["merchant"])
            for (lotIndex, lot) in shop.lots.enumerated() {
                // The window is open now, so that the demo's pickups can be validated at once.
                let start = Date().addingTimeInterval(-1800), end = Date().addingTimeInterval(Double(3 + lotIndex) * 3600)
                let published = try await client.send("POST", "/v1/lots", json: [
                    "title": lot.title, "description": "\(shop.name): invendus du jour", "category": lot.category, "baskets": lot.baskets,
                    "mealsPerBasket": lot.meals, "weightPerBasketKg": lot.kg, "originalValueCents": lot.value, "priceCents": lot.price,
                    "pickupStart": formatter.string(from: start), "pickupEnd": formatter.string(from: end),
                    "location": ["latitude": shop.latitude, "longitude": shop.longitude, "address": shop.address],
                ], token: merchant.token)
                lots += 1
                guard let lotID = published.json()["id"] as? String else { continue }
                let takers = lot.price == 0 ? beneficiaries : customers
                for taker in takers.prefix(2).map({ $0 }) where (shopIndex + lotIndex) % 3 != 2 {
                    let reply = try await client.send("POST", "/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: taker.token, expect: [201, 409, 429])
                    guard reply.status == 201 else { continue }
                    reservations += 1
                    // Most reservations are collected; the rest wait for their pickup.
                    if reservations % 4 != 0, let code = reply.json()["pickupCode"] as? [String: Any],
                       let token = code["token"] as? String, let pin = code["pin"] as? String {
                        try await client.send("POST", "/v1/pickups/validate", json: ["token": token, "pin": pin], token: merchant.token)
                        pickups += 1
                    }
                }
            }
        }
        log("  shops: \(DemoTerritory.shops.count), lots: \(lots), reservations: \(reservations), pickups: \(pickups)")
        try await seedMaterials()
        let kpis = try await client.send("GET", "/v1/kpis").json()
        log("  impact so far: \(kpis["mealsSaved"] ?? 0) meals, \(kpis["co2eAvoidedKg"] ?? 0) kg CO2e avoided, \((kpis["valueSavedCents"] as? Int ?? 0) / 100) € saved")
        log("  sign in as any of them with password \(DemoTerritory.password), e.g. \(DemoTerritory.shops[0].email)")
    }

    /// Two companies and a workshop: surplus listings with their List of Waste codes and a demand, so
    /// that the matcher proposes a match at its next tick (accept it as either side).
    private func seedMaterials() async throws {
        let formatter = ISO8601DateFormatter()
        let from = formatter.string(from: Date()), until = formatter.string(from: Date().addingTimeInterval(30 * 86_400))
        let builder = try await account(DemoTerritory.materials.builderEmail, name: "Chantier Joliette", roles: ["merchant"])
        let workshop = try await account(DemoTerritory.materials.workshopEmail, name: "Atelier du Panier", roles: ["merchant"])
        for (code, title, tonnes) in [("17 02 01", "Poutres en chêne de réemploi", 3.0), ("17 04 05", "Profilés acier", 1.2), ("15 01 03", "Palettes bois", 0.8)] {
            try await client.send("POST", "/v1/listings", json: [
                "kind": "material", "lerCode": code, "title": title, "quantity": tonnes, "unit": "t", "condition": "used", "terms": "donated",
                "location": ["latitude": 43.3105, "longitude": 5.3668, "address": "Quai de la Joliette, Marseille"],
                "availableFrom": from, "availableUntil": until,
            ], token: builder.token)
        }
        try await client.send("POST", "/v1/demands", json: [
            "lerCodes": ["170201", "150103"], "title": "Bois pour l'atelier", "minimumKg": 100, "maximumKg": 2500, "maximumDistanceKm": 15,
            "location": ["latitude": 43.2990, "longitude": 5.3690, "address": "Le Panier, Marseille"], "wantsTransport": true,
            "neededFrom": from, "neededUntil": until,
        ], token: workshop.token)
        log("  materials: 3 listings, 1 demand; the matcher proposes at its next tick (GET /v1/proposals as \(DemoTerritory.materials.workshopEmail))")
    }

    /// Signs the person up, or signs in if they already exist.
    /// The demo people accept the gateway's current terms (`GET /v1/terms`) and want no emails.
    private func account(_ email: String, name: String, roles: [String]) async throws -> Session {
        let terms = try await client.send("GET", "/v1/terms").json()["version"] as? String ?? ""
        let reply = try await client.send(
            "POST", "/v1/auth/signup",
            json: ["email": email, "password": DemoTerritory.password, "displayName": name, "roles": roles, "termsVersion": terms],
            expect: [201, 409])
        if reply.status == 409 { return try await logIn(email, DemoTerritory.password) }
        return try session(reply)
    }

    private func logIn(_ email: String, _ password: String) async throws -> Session {
        try session(try await client.send("POST", "/v1/auth/login", json: ["email": email, "password": password]))
    }

    private func session(_ reply: GatewayClient.Reply) throws -> Session {
        let json = reply.json()
        guard let token = json["accessToken"] as? String, let id = (json["account"] as? [String: Any])?["id"] as? String else {
            throw GatewayClient.Failure(status: reply.status, body: String(decoding: reply.body, as: UTF8.self), request: "sign-in")
        }
        return Session(id: id, token: token)
    }
}
