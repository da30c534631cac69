import Crypto
import EcoConfig
import EcoModel
import Foundation
import GRDB
import Testing

/// Collector missions over HTTP: each step an event, the pickup with the same QR + PIN flow.
@Suite("Collector missions over HTTP", .serialized)
struct MissionsTests {
    @Test("an association asks, a collector accepts and collects with QR + PIN, the association's code confirms delivery")
    func missionStory() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let merchant = try await HTTPSession.signUp(base, "mission-shop@example.org", roles: ["merchant"])
        let collector = try await HTTPSession.signUp(base, "rider@example.org", roles: ["collector"])
        let customer = try await HTTPSession.signUp(base, "mission-customer@example.org")
        let association = try await HTTPSession.signUp(base, "mission-association@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(association.accountID)/roles", json: ["role": "association"], token: admin.accessToken).status == 200)
        let associationSession = try await HTTPSession.logIn(base, "mission-association@example.org")

        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Invendus du soir", price: 0, baskets: 4, startIn: -600), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String)

        // The association asks; its delivery code is shown to it alone.
        #expect(try await HTTP.send("POST", "\(base)/v1/missions", json: ["lotId": lotID], token: customer.accessToken).status == 403)
        let created = try await HTTP.send("POST", "\(base)/v1/missions", json: ["lotId": lotID], token: associationSession.accessToken)
        #expect(created.status == 201, "\(created.text)")
        let mission = try #require(try created.json()["mission"] as? [String: Any])
        let missionID = try #require(mission["id"] as? String)
        let deliveryCode = try #require(try created.json()["deliveryCode"] as? String)
        #expect(mission["baskets"] as? Int == 4 && mission["status"] as? String == "requested")
        // The pickup validator derives the code, so the association can ask for it again; nobody else can.
        let again = try await HTTP.get("\(base)/v1/missions/\(missionID)/delivery-code", token: associationSession.accessToken)
        let codeAgain = try again.json()["deliveryCode"] as? String
        #expect(again.status == 200 && codeAgain == deliveryCode, "\(again.text)")
        #expect(try await HTTP.get("\(base)/v1/missions/\(missionID)/delivery-code", token: customer.accessToken).status == 404,
                "a customer does not see the mission")

        // Collectors see it waiting; one accepts; nobody else can take it.
        let open = try await HTTP.get("\(base)/v1/missions", token: collector.accessToken)
        #expect((try open.json()["items"] as? [[String: Any]])?.contains { $0["id"] as? String == missionID } == true)
        #expect(!open.text.contains(deliveryCode), "the delivery code is not shown to collectors")
        #expect(try await HTTP.send("POST", "\(base)/v1/missions/\(missionID)/accept", token: customer.accessToken).status == 403)
        let accepted = try await HTTP.send("POST", "\(base)/v1/missions/\(missionID)/accept", token: collector.accessToken)
        let acceptedStatus = try accepted.json()["status"] as? String
        #expect(accepted.status == 200 && acceptedStatus == "accepted", "\(accepted.text)")
        let other = try await HTTPSession.signUp(base, "rider-two@example.org", roles: ["collector"])
        #expect(try await HTTP.send("POST", "\(base)/v1/missions/\(missionID)/accept", token: other.accessToken).status == 404)
        let asked = try await HTTP.get("\(base)/v1/missions/\(missionID)/delivery-code", token: collector.accessToken)
        #expect(asked.status == 403 && !asked.text.contains(deliveryCode), "the collector gets the code from the association only: \(asked.text)")

        // Collection: the same QR + PIN flow at the merchant's counter.
        let code = try await HTTP.get("\(base)/v1/missions/\(missionID)/pickup-code", token: collector.accessToken)
        #expect(code.status == 200)
        let token = try #require(try code.json()["token"] as? String), pin = try #require(try code.json()["pin"] as? String)
        #expect(try await HTTP.get("\(base)/v1/missions/\(missionID)/pickup-code", token: associationSession.accessToken).status == 403)
        let early = try await HTTP.send("POST", "\(base)/v1/missions/\(missionID)/delivery", json: ["deliveryCode": deliveryCode], token: collector.accessToken)
        #expect(early.status == 409, "not delivered before it is collected: \(early.text)")
        let validated = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": token, "pin": pin], token: merchant.accessToken)
        #expect(validated.status == 200, "\(validated.text)")
        _ = try await eventually("the mission to be collected") { () -> Bool? in
            try await HTTP.get("\(base)/v1/missions/\(missionID)", token: collector.accessToken).json()["status"] as? String == "collected" ? true : nil
        }

        // Delivery: only with the association's code.
        let wrongCode = deliveryCode == "000000" ? "111111" : "000000"
        let wrong = try await HTTP.send("POST", "\(base)/v1/missions/\(missionID)/delivery", json: ["deliveryCode": wrongCode], token: collector.accessToken)
        #expect(wrong.status == 422 && wrong.errorField == "deliveryCode" && wrong.text.contains("4 attempts left"), "\(wrong.text)")
        let delivered = try await HTTP.send("POST", "\(base)/v1/missions/\(missionID)/delivery", json: ["deliveryCode": deliveryCode], token: collector.accessToken)
        let deliveredStatus = try delivered.json()["status"] as? String
        #expect(delivered.status == 200 && deliveredStatus == "delivered", "\(delivered.text)")

        // Each step is an event on the bus, in order, from the worker that held the lot then. The
        // first tick may hand the lot from its owner before ticks to its holder among the members
        // (docs/decisions/0017), so the steps are read from both workers, each in its own order.
        var topics: [String] = []
        for index in 0..<2 {
            topics += try await deployment.database(of: ServiceInstance(.matcher, index: index)).read { db in
                try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox WHERE topic LIKE 'mission.%' ORDER BY sequence")
            }
        }
        let steps = ["mission.requested", "mission.accepted", "mission.collected", "mission.delivered"]
        #expect(topics.sorted() == steps.sorted(), "each step once: \(topics)")
        // Nothing a worker keeps or publishes holds the code or a hash of it (docs/decisions/0006).
        let hash = SHA256.hash(data: Data(deliveryCode.utf8)).map { String(format: "%02x", $0) }.joined()
        for index in 0..<2 {
            let leaks = try await deployment.database(of: ServiceInstance(.matcher, index: index)).read { db in
                try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM bus_outbox WHERE instr(payload, ?) > 0) + (SELECT COUNT(*) FROM missions WHERE delivery_code_hash <> '')", arguments: [hash]) ?? -1
            }
            #expect(leaks == 0, "matcher-\(index)")
        }
        _ = deployment.stopAll()
    }
}
