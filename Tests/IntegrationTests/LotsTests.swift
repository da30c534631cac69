import Foundation
import Testing

/// Food lots over HTTP against the real gateway and ingest.
@Suite("Food lots over HTTP", .serialized)
struct LotsTests {
    static func lot(title: String = "Pains et viennoiseries", price: Int = 400, original: Int = 1200, baskets: Int = 5,
                    latitude: Double = 43.2965, longitude: Double = 5.3698, category: String = "bakery",
                    startIn: TimeInterval = 3600, length: TimeInterval = 7200) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        return [
            "title": title, "description": "Invendus du jour", "category": category, "baskets": baskets,
            "mealsPerBasket": 2, "weightPerBasketKg": 1.5, "originalValueCents": original, "priceCents": price,
            "pickupStart": formatter.string(from: Date().addingTimeInterval(startIn)),
            "pickupEnd": formatter.string(from: Date().addingTimeInterval(startIn + length)),
            "location": ["latitude": latitude, "longitude": longitude, "address": "12 quai du Port, Marseille"],
        ]
    }

    @Test("merchants publish, edit and withdraw lots; browsing is by distance, paginated, and free lots are for beneficiaries only")
    func publishAndBrowse() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/healthz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "bakery@example.org", roles: ["merchant"])
        let rival = try await HTTPSession.signUp(base, "rival@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "customer@example.org")
        let beneficiary = try await HTTPSession.verifiedBeneficiary(base, "beneficiary@example.org")

        // Publishing: paid (30–70% off) and free; bad input names its field.
        let paid = try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(), token: merchant.accessToken)
        #expect(paid.status == 201, "\(paid.text)")
        let paidID = try #require(try paid.json()["id"] as? String)
        let free = try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(title: "Panier solidaire", price: 0, latitude: 43.30, longitude: 5.38), token: merchant.accessToken)
        #expect(free.status == 201, "\(free.text)")
        let freeID = try #require(try free.json()["id"] as? String)
        let far = try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(title: "Aix", latitude: 43.5297, longitude: 5.4474), token: merchant.accessToken)
        #expect(far.status == 201)
        // Outside the territory's service area (the metropolitan area), a lot is refused, naming the field.
        let tokyo = try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(title: "Tokyo", latitude: 35.68, longitude: 139.69), token: merchant.accessToken)
        #expect(tokyo.status == 400 && tokyo.errorField == "location", "\(tokyo.text)")
        let lyon = try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(title: "Lyon", latitude: 45.76, longitude: 4.84), token: merchant.accessToken)
        #expect(lyon.status == 400 && lyon.errorField == "location", "the box over France is gone: \(lyon.text)")
        let fruit = try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(title: "Fruits", latitude: 43.31, longitude: 5.40, category: "fruit_vegetables"), token: rival.accessToken)
        #expect(fruit.status == 201)

        var bad = Self.lot(price: 1000)  // only 17% off
        let tooExpensive = try await HTTP.send("POST", "\(base)/v1/lots", json: bad, token: merchant.accessToken)
        #expect(tooExpensive.status == 400 && tooExpensive.errorField == "priceCents", "\(tooExpensive.text)")
        bad = Self.lot(price: 200)  // 83% off
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: bad, token: merchant.accessToken).errorField == "priceCents")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(baskets: 0), token: merchant.accessToken).errorField == "baskets")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(length: -60), token: merchant.accessToken).errorField == "pickupEnd")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(latitude: 123), token: merchant.accessToken).errorField == "location")
        bad = Self.lot()
        bad.removeValue(forKey: "title")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: bad, token: merchant.accessToken).errorField == "title")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(category: "shoes"), token: merchant.accessToken).errorField == "category")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot(), token: customer.accessToken).status == 403)
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: Self.lot()).status == 401)

        // Browsing: nearest first, within the radius, paid only unless a beneficiary.
        func titles(_ query: String, token: String? = nil) async throws -> [String] {
            let reply = try await HTTP.get("\(base)/v1/lots?\(query)", token: token)
            #expect(reply.status == 200, "\(reply.text)")
            let items = try #require(try reply.json()["items"] as? [[String: Any]])
            return items.compactMap { (($0["lot"] as? [String: Any])?["draft"] as? [String: Any])?["title"] as? String }
        }
        let here = "lat=43.2965&lon=5.3698&radiusKm=10"
        #expect(try await titles(here) == ["Pains et viennoiseries", "Fruits"])
        #expect(try await titles(here, token: customer.accessToken) == ["Pains et viennoiseries", "Fruits"])
        #expect(try await titles(here, token: beneficiary.accessToken) == ["Pains et viennoiseries", "Panier solidaire", "Fruits"])
        #expect(try await titles(here + "&category=fruit_vegetables") == ["Fruits"])
        #expect(try await titles("lat=43.2965&lon=5.3698&radiusKm=10").contains("Aix") == false)
        #expect(try await titles("lat=43.5297&lon=5.4474&radiusKm=5") == ["Aix"])
        let firstPage = try await HTTP.get("\(base)/v1/lots?\(here)&limit=1")
        let cursor = try #require(try firstPage.json()["nextCursor"] as? String)
        #expect(try await titles(here + "&limit=1&cursor=\(cursor)") == ["Fruits"])
        #expect(try await HTTP.get("\(base)/v1/lots?lon=5").errorField == "lat")
        #expect(try await HTTP.get("\(base)/v1/lots?\(here)&category=shoes").errorField == "category")
        #expect(try await HTTP.get("\(base)/v1/lots?lat=43&lon=5&radiusKm=1000").errorField == "radiusKm")

        // A free lot is invisible to everyone but beneficiaries (and its merchant).
        #expect(try await HTTP.get("\(base)/v1/lots/\(freeID)", token: customer.accessToken).status == 404)
        #expect(try await HTTP.get("\(base)/v1/lots/\(freeID)").status == 404)
        #expect(try await HTTP.get("\(base)/v1/lots/\(freeID)", token: beneficiary.accessToken).status == 200)
        #expect(try await HTTP.get("\(base)/v1/lots/\(freeID)", token: merchant.accessToken).status == 200)

        // Editing: only the lot's merchant, against the version they saw.
        var edited = Self.lot(title: "Pains, viennoiseries et tartes", price: 500)
        let byRival = try await HTTP.send("PUT", "\(base)/v1/lots/\(paidID)", json: ["draft": edited, "version": 1], token: rival.accessToken)
        #expect(byRival.status == 403)
        let ok = try await HTTP.send("PUT", "\(base)/v1/lots/\(paidID)", json: ["draft": edited, "version": 1], token: merchant.accessToken)
        #expect(ok.status == 200, "\(ok.text)")
        #expect(try ok.json()["version"] as? Int == 2)
        let stale = try await HTTP.send("PUT", "\(base)/v1/lots/\(paidID)", json: ["draft": edited, "version": 1], token: merchant.accessToken)
        #expect(stale.status == 409)
        edited = Self.lot(baskets: 2)
        #expect(try await HTTP.send("PUT", "\(base)/v1/lots/\(paidID)", json: ["draft": edited], token: merchant.accessToken).errorField == "baskets")

        // Photos: checked by their bytes, stored once by content hash, five a lot at most.
        func image(_ kind: String, _ seed: UInt8) -> Data {
            let header: [UInt8] = kind == "png" ? [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] : [0xFF, 0xD8, 0xFF, 0xE0]
            return Data(header + (0..<2048).map { UInt8(truncatingIfNeeded: Int($0) * 31 + Int(seed)) })
        }
        let photoURL = "\(base)/v1/lots/\(paidID)/photos"
        let added = try await HTTP.send("POST", photoURL, body: image("png", 1), contentType: "image/png", token: merchant.accessToken)
        #expect(added.status == 201, "\(added.text)")
        let hash = try #require((try added.json()["photos"] as? [String])?.first)
        let served = try await HTTP.get("\(base)/v1/photos/\(hash)")
        #expect(served.status == 200 && served.contentType == "image/png" && served.body == image("png", 1))
        let again = try await HTTP.send("POST", photoURL, body: image("png", 1), contentType: "image/png", token: merchant.accessToken)
        #expect((try again.json()["photos"] as? [String])?.count == 1, "the same photo is stored once")
        #expect(try await HTTP.send("POST", photoURL, body: image("jpeg", 2), contentType: "image/png", token: merchant.accessToken).errorField == "photo")
        #expect(try await HTTP.send("POST", photoURL, body: Data("GIF89a....".utf8), contentType: "image/gif", token: merchant.accessToken).status == 415)
        #expect(try await HTTP.send("POST", photoURL, body: Data(repeating: 0xFF, count: 6 << 20), contentType: "image/jpeg", token: merchant.accessToken).status == 413)
        #expect(try await HTTP.send("POST", photoURL, body: image("png", 3), contentType: "image/png", token: rival.accessToken).status == 403)
        for seed in UInt8(4)...7 {
            #expect(try await HTTP.send("POST", photoURL, body: image("jpeg", seed), contentType: "image/jpeg", token: merchant.accessToken).status == 201)
        }
        #expect(try await HTTP.send("POST", photoURL, body: image("jpeg", 8), contentType: "image/jpeg", token: merchant.accessToken).status == 409, "five at most")
        #expect(try await HTTP.get("\(base)/v1/photos/\(String(repeating: "0", count: 64))").status == 404)

        // Withdrawing takes the lot out of browsing.
        #expect(try await HTTP.send("DELETE", "\(base)/v1/lots/\(paidID)", token: rival.accessToken).status == 403)
        let withdrawn = try await HTTP.send("DELETE", "\(base)/v1/lots/\(paidID)", token: merchant.accessToken)
        #expect(withdrawn.status == 200)
        #expect(try withdrawn.json()["status"] as? String == "withdrawn")
        #expect(try await titles(here) == ["Fruits"])
        #expect(try await HTTP.send("DELETE", "\(base)/v1/lots/\(paidID)", token: merchant.accessToken).status == 409)
        _ = deployment.stopAll()
    }
}
