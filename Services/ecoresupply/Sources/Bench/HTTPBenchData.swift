import Foundation

/// What `bench http` puts in the deployment before measuring: a merchant's lots around the
/// Vieux-Port (10,000 by default), lots of 500 baskets to reserve, and a customer and a citizen.
struct HTTPBenchData {
    static let centre = (latitude: 43.2965, longitude: 5.3698)
    static let password = "bench http password 2026"

    let customerToken: String
    let citizenToken: String
    let reservableLots: [String]

    /// Signs the people up and publishes `lots` lots within 5 km of the centre, `concurrency` at a time.
    static func prepare(_ client: GatewayClient, lots: Int, reservable: Int, concurrency: Int = 8) async throws -> HTTPBenchData {
        let merchant = try await signUp(client, "bench-merchant@example.org", roles: ["merchant"])
        let customer = try await signUp(client, "bench-customer@example.org", roles: ["customer"])
        let citizen = try await signUp(client, "bench-citizen@example.org", roles: ["customer"])
        var reservableLots: [String] = []
        try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<(lots + reservable) {
                if index >= concurrency, let id = try await group.next(), let id { reservableLots.append(id) }
                group.addTask {
                    let reply = try await client.send("POST", "/v1/lots", json: lot(index, baskets: index < reservable ? 500 : 5), token: merchant)
                    return index < reservable ? reply.json()["id"] as? String : nil
                }
            }
            for try await id in group { if let id { reservableLots.append(id) } }
        }
        return HTTPBenchData(customerToken: customer, citizenToken: citizen, reservableLots: reservableLots)
    }

    private static func signUp(_ client: GatewayClient, _ email: String, roles: [String]) async throws -> String {
        let terms = try await client.send("GET", "/v1/terms").json()["version"] as? String ?? ""
        let reply = try await client.send("POST", "/v1/auth/signup", json: [
            "email": email, "password": password, "displayName": "Bench", "roles": roles, "termsVersion": terms,
        ])
        guard let token = reply.json()["accessToken"] as? String else {
            throw BenchFailure(description: "sign-up of \(email) gave no token: \(String(decoding: reply.body, as: UTF8.self))")
        }
        return token
    }

    /// Lot number `index`, on a spiral around the centre out to about 5 km; pickup open now.
    private static func lot(_ index: Int, baskets: Int) -> [String: Any] {
        let angle = Double(index) * 2.399963, radius = 0.045 * (Double(index % 1000) / 1000).squareRoot()
        let formatter = ISO8601DateFormatter()
        return [
            "title": "Panier \(index)", "description": "Invendus du jour", "category": "bakery", "baskets": baskets,
            "mealsPerBasket": 2, "weightPerBasketKg": 1.5, "originalValueCents": 1200, "priceCents": 400,
            "pickupStart": formatter.string(from: Date().addingTimeInterval(-600)), "pickupEnd": formatter.string(from: Date().addingTimeInterval(6 * 3600)),
            "location": [
                "latitude": centre.latitude + radius * sin(angle) * 0.72, "longitude": centre.longitude + radius * abs(cos(angle)),  // east of the port: the sea is west
                "address": "\(index) rue du Port, Marseille",
            ],
        ]
    }

    /// wrk's script for reservations: one basket of a random reservable lot, as the customer.
    var reservationScript: String {
        """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer \(customerToken)"
        wrk.body = '{"baskets":1}'
        local lots = {\(reservableLots.map { "\"\($0)\"" }.joined(separator: ","))}
        request = function() return wrk.format(nil, "/v1/lots/" .. lots[math.random(#lots)] .. "/reservations") end
        """
    }

    /// wrk's script for reports: each at a random place in the city east of the port, as the citizen (few are
    /// within 30 m of another, which makes them a supporting filing, answered 200).
    var reportScript: String {
        """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer \(citizenToken)"
        request = function()
          local body = string.format('{"category":"illegal_dumping","latitude":%.6f,"longitude":%.6f,"description":"Banc de mesure","contact":null}',
            43.29 + math.random() * 0.05, 5.38 + math.random() * 0.06)
          return wrk.format(nil, "/v1/reports", nil, body)
        end
        """
    }
}
