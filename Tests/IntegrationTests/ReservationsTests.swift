import EcoConfig
import Foundation
import Testing

/// Reservations, quotas, the QR + PIN pickup and the KPIs it feeds, against the real processes
/// with three matcher workers.
@Suite("Reservations and pickup over HTTP", .serialized)
struct ReservationsTests {
    @Test("200 concurrent reservations on a lot of 5 baskets give exactly 5 successes, across 3 matcher workers")
    func noOversell() async throws {
        let deployment = try await TestDeployment.make(matchers: 3)
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "oversell-shop@example.org", roles: ["merchant"])
        var customers: [HTTPSession] = []
        for index in 0..<20 { customers.append(try await HTTPSession.signUp(base, "rush-\(index)@example.org")) }

        // Several lots, so that different workers own them; each must stop at 5.
        var lotIDs: [String] = []
        for index in 0..<3 {
            let reply = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Lot \(index)", baskets: 5), token: merchant.accessToken)
            lotIDs.append(try #require(try reply.json()["id"] as? String))
        }
        for lotID in lotIDs {
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for attempt in 0..<200 {
                    let customer = customers[attempt % customers.count]
                    group.addTask {
                        try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 5, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            #expect(statuses.filter { $0 == 409 }.count == 195)
        }

        // The daily quota holds under concurrency too: 12 free lots spread over the workers,
        // reserved at once by one beneficiary: exactly 2 succeed, the rest get 429.
        let beneficiary = try await HTTPSession.verifiedBeneficiary(base, "rush-beneficiary@example.org")
        var freeIDs: [String] = []
        for index in 0..<12 {
            let reply = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Free \(index)", price: 0, baskets: 3), token: merchant.accessToken)
            freeIDs.append(try #require(try reply.json()["id"] as? String))
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for lotID in freeIDs {
                group.addTask {
                    try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: beneficiary.accessToken).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 2, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 10)
        // The quota counts baskets: one request for 3 is refused; requests of 1 and 2 baskets at
        // once, over the workers, never take more than 2 baskets in all.
        let sharer = try await HTTPSession.verifiedBeneficiary(base, "basket-beneficiary@example.org")
        let bigLot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Free big", price: 0, baskets: 4), token: merchant.accessToken)
        let bigID = try #require(try bigLot.json()["id"] as? String)
        let three = try await HTTP.send("POST", "\(base)/v1/lots/\(bigID)/reservations", json: ["baskets": 3], token: sharer.accessToken)
        #expect(three.status == 429 && three.errorCode == "quota_exceeded" && three.errorField == "baskets", "\(three.text)")
        #expect(Int(three.header("Retry-After") ?? "") ?? 0 > 0, "a 429 says when to come back: \(three.headers)")
        let mixed = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for (index, lotID) in ([bigID] + freeIDs).enumerated() {
                let baskets = 1 + index % 2
                group.addTask {
                    (try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": baskets], token: sharer.accessToken).status, baskets)
                }
            }
            return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
        }
        #expect(mixed.filter { $0.0 == 201 }.map(\.1).reduce(0, +) == 2, "\(mixed)")
        #expect(mixed.allSatisfy { $0.0 == 201 || $0.0 == 429 }, "\(mixed)")
        // And it survives a restart of the pickup validator, which keeps it in its own file.
        try deployment.kill("pickup-validator")
        try deployment.start(ServiceInstance(.pickupValidator))
        try await deployment.awaitAnswering(ServiceInstance(.pickupValidator))
        let afterRestart = try await HTTP.send("POST", "\(base)/v1/lots/\(bigID)/reservations", json: ["baskets": 1], token: beneficiary.accessToken)
        #expect(afterRestart.status == 429, "\(afterRestart.text)")
        _ = deployment.stopAll()
    }

    @Test("the whole story: reserve, QR token + PIN at the counter with each refusal its own reason, quotas, cancellation, KPIs")
    func pickupStory() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "story-bakery@example.org", roles: ["merchant"])
        let other = try await HTTPSession.signUp(base, "story-other-shop@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "story-customer@example.org")
        let beneficiary = try await HTTPSession.verifiedBeneficiary(base, "story-beneficiary@example.org")

        // Paid lot: 1200 → 400 cents a basket, 2 meals and 1.5 kg a basket.
        let paid = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Paid", baskets: 3, startIn: -600, length: 7200), token: merchant.accessToken)
        let paidID = try #require(try paid.json()["id"] as? String, "\(paid.text)")
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(paidID)/reservations", json: ["baskets": 2], token: customer.accessToken)
        #expect(reserved.status == 201, "\(reserved.text)")
        let reservation = try #require(try reserved.json()["reservation"] as? [String: Any])
        let reservationID = try #require(reservation["id"] as? String)
        let code = try #require(try reserved.json()["pickupCode"] as? [String: Any])
        let token = try #require(code["token"] as? String)
        let pin = try #require(code["pin"] as? String)
        #expect(pin.count == 6 && pin.allSatisfy(\.isNumber))
        #expect(!token.isEmpty)
        // The QR code a standard reader scans carries the token; the SVG is there too.
        let png = try await HTTP.get("\(base)/v1/reservations/\(reservationID)/qr.png", token: customer.accessToken)
        #expect(png.status == 200 && png.contentType == "image/png")
        #expect(try ZBar.decode(png.body) == token)
        let svg = try await HTTP.get("\(base)/v1/reservations/\(reservationID)/qr.svg", token: customer.accessToken)
        #expect(svg.status == 200 && svg.contentType == "image/svg+xml" && svg.text.contains("<svg"))
        #expect(try await HTTP.get("\(base)/v1/reservations/\(reservationID)/qr.png", token: merchant.accessToken).status == 404)
        // The same code again from its own endpoint; nobody else gets it.
        let again = try await HTTP.get("\(base)/v1/reservations/\(reservationID)/pickup-code", token: customer.accessToken)
        let againJSON = try again.json()
        #expect(againJSON["token"] as? String == token && againJSON["pin"] as? String == pin)
        #expect(try await HTTP.get("\(base)/v1/reservations/\(reservationID)/pickup-code", token: merchant.accessToken).status == 404)
        #expect(try await HTTP.get("\(base)/v1/reservations/\(reservationID)", token: merchant.accessToken).status == 200)
        #expect(try await HTTP.send("POST", "\(base)/v1/lots/\(paidID)/reservations", json: ["baskets": 2], token: beneficiary.accessToken).status == 409, "one basket left")
        // Browsing shows what is left, a moment after the matcher decided.
        _ = try await eventually("browsing to show one basket left") { () -> Bool? in
            let items = try await HTTP.get("\(base)/v1/lots?lat=43.2965&lon=5.3698&radiusKm=1", token: customer.accessToken).json()["items"] as? [[String: Any]] ?? []
            let hit = items.first { ($0["lot"] as? [String: Any])?["id"] as? String == paidID }
            return hit?["basketsLeft"] as? Int == 1 ? true : nil
        }

        // At the counter: each refusal has its own reason.
        func validate(_ token: String, _ pin: String, as session: HTTPSession) async throws -> HTTP.Reply {
            try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": token, "pin": pin], token: session.accessToken)
        }
        let wrongPin = pin == "000000" ? "111111" : "000000"
        #expect(try await validate(token, pin, as: other).errorCode == "wrong_merchant")
        #expect(try await validate(token + "x", pin, as: merchant).errorCode == "invalid_token")
        let firstWrong = try await validate(token, wrongPin, as: merchant)
        #expect(firstWrong.status == 422 && firstWrong.errorCode == "wrong_pin", "\(firstWrong.text)")
        let done = try await validate(token, pin, as: merchant)
        #expect(done.status == 200, "\(done.text)")
        #expect(try done.json()["meals"] as? Double == 4)
        #expect(try done.json()["valueSavedCents"] as? Int == 1600)
        #expect(try await validate(token, pin, as: merchant).errorCode == "code_already_used")

        // Five wrong PINs lock a code.
        let second = try await HTTP.send("POST", "\(base)/v1/lots/\(paidID)/reservations", json: ["baskets": 1], token: beneficiary.accessToken)
        let secondCode = try #require(try second.json()["pickupCode"] as? [String: Any])
        let secondToken = try #require(secondCode["token"] as? String), secondPin = try #require(secondCode["pin"] as? String)
        let otherPin = secondPin == "000000" ? "111111" : "000000"
        var codes: [String?] = []
        for _ in 0..<5 { codes.append(try await validate(secondToken, otherPin, as: merchant).errorCode) }
        #expect(codes == ["wrong_pin", "wrong_pin", "wrong_pin", "wrong_pin", "code_locked"])
        #expect(try await validate(secondToken, secondPin, as: merchant).errorCode == "code_locked")
        // Support checks who is at the counter and unlocks the code with the command line: the count
        // starts again (a wrong PIN is a wrong PIN again, not a locked code; the right one is kept for
        // later so the KPIs below count one pickup).
        let secondID = try #require((try second.json()["reservation"] as? [String: Any])?["id"] as? String)
        let unlock = try await Self.unlockCodes(secondID, reason: "customer identified at the counter", in: deployment)
        #expect(unlock.status == 0, "\(unlock.printed)")
        #expect(unlock.printed.contains("pickup PIN: was locked, unlocked (5 wrong attempts cleared)"), "\(unlock.printed)")
        #expect(deployment.fullLog("pickup-validator").contains("codes unlocked by an operator"))
        let afterUnlock = try await validate(secondToken, otherPin, as: merchant)
        #expect(afterUnlock.errorCode == "wrong_pin" && afterUnlock.text.contains("4 attempts left"), "\(afterUnlock.text)")
        let unknown = try await Self.unlockCodes("no-such-reservation", reason: "typo", in: deployment)
        #expect(unknown.status != 0 && unknown.printed.contains("no pickup code or delivery code is known"), "\(unknown.printed)")

        // Free lots: beneficiaries only, two a day; cancelling gives the basket back.
        var freeIDs: [String] = []
        for index in 0..<3 {
            let reply = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Free \(index)", price: 0, baskets: 2), token: merchant.accessToken)
            freeIDs.append(try #require(try reply.json()["id"] as? String))
        }
        #expect(try await HTTP.send("POST", "\(base)/v1/lots/\(freeIDs[0])/reservations", json: ["baskets": 1], token: customer.accessToken).status == 404)
        let firstFree = try await HTTP.send("POST", "\(base)/v1/lots/\(freeIDs[0])/reservations", json: ["baskets": 1], token: beneficiary.accessToken)
        #expect(firstFree.status == 201, "\(firstFree.text)")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots/\(freeIDs[1])/reservations", json: ["baskets": 1], token: beneficiary.accessToken).status == 201)
        let third = try await HTTP.send("POST", "\(base)/v1/lots/\(freeIDs[2])/reservations", json: ["baskets": 1], token: beneficiary.accessToken)
        #expect(third.status == 429 && third.errorCode == "quota_exceeded", "\(third.text)")
        let freeReservation = try #require((try firstFree.json()["reservation"] as? [String: Any])?["id"] as? String)
        let cancelled = try await HTTP.send("DELETE", "\(base)/v1/reservations/\(freeReservation)", token: beneficiary.accessToken)
        let cancelledStatus = try cancelled.json()["status"] as? String
        #expect(cancelled.status == 200 && cancelledStatus == "cancelled", "\(cancelled.text)")
        let freeCode = try #require((try firstFree.json()["pickupCode"] as? [String: Any]))
        let refused = try await eventually("the pickup validator to learn of the cancellation") { () -> HTTP.Reply? in
            let reply = try await validate(freeCode["token"] as! String, freeCode["pin"] as! String, as: merchant)
            return reply.errorCode == "reservation_cancelled" ? reply : nil
        }
        #expect(refused.status == 409)
        _ = try await eventually("the quota slot to come back with the cancellation") { () -> Bool? in
            let reply = try await HTTP.send("POST", "\(base)/v1/lots/\(freeIDs[2])/reservations", json: ["baskets": 1], token: beneficiary.accessToken)
            return reply.status == 201 ? true : nil
        }

        // Withdrawing a lot cancels its reservations.
        let doomed = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Doomed", baskets: 2), token: merchant.accessToken)
        let doomedID = try #require(try doomed.json()["id"] as? String)
        let held = try await HTTP.send("POST", "\(base)/v1/lots/\(doomedID)/reservations", json: ["baskets": 1], token: customer.accessToken)
        let heldID = try #require((try held.json()["reservation"] as? [String: Any])?["id"] as? String)
        #expect(try await HTTP.send("DELETE", "\(base)/v1/lots/\(doomedID)", token: merchant.accessToken).status == 200)
        _ = try await eventually("the reservation to be cancelled with its lot") { () -> Bool? in
            let reply = try await HTTP.get("\(base)/v1/reservations/\(heldID)", token: customer.accessToken)
            return try reply.json()["status"] as? String == "cancelled" ? true : nil
        }

        // KPIs count the collected pickup: 4 meals, 0.9 kg CO2e each from a versioned factor, 16 € saved.
        let kpis = try await eventually("reporting to count the pickup") { () -> [String: Any]? in
            let json = try await HTTP.get("\(base)/v1/kpis").json()
            return json["pickups"] as? Int == 1 ? json : nil
        }
        #expect(kpis["mealsSaved"] as? Double == 4)
        #expect(kpis["co2eAvoidedKg"] as? Double == 3.6)
        #expect(kpis["valueSavedCents"] as? Int == 1600)
        #expect(kpis["weightSavedKg"] as? Double == 3)
        let totals = kpis["totals"] as? [String: Any]
        #expect(totals?["co2eAvoidedKg"] as? Double == 3.6 && totals?["weightDivertedKg"] as? Double == 3, "food and materials together: \(kpis)")
        let factor = try #require((kpis["factors"] as? [[String: Any]])?.first)
        #expect(factor["version"] as? String == "food-meal-2026.1" && (factor["kgCO2ePerUnit"] as? Double) == 0.9)

        // The in-app inbox: each notification once, newest first; marking one read.
        let inbox = try await eventually("the customer's inbox to show the pickup and the cancellation") { () -> [[String: Any]]? in
            let items = try await HTTP.get("\(base)/v1/me/notifications", token: customer.accessToken).json()["items"] as? [[String: Any]] ?? []
            let kinds = items.compactMap { $0["kind"] as? String }
            return kinds.contains("pickup.completed") && kinds.contains("reservation.cancelled") ? items : nil
        }
        let kinds = inbox.compactMap { $0["kind"] as? String }
        #expect(kinds.filter { $0 == "reservation.confirmed" }.count == 2, "\(kinds)")
        #expect(kinds.filter { $0 == "pickup.completed" }.count == 1)
        #expect(kinds.filter { $0 == "reservation.cancelled" }.count == 1)
        let keys = inbox.map { "\($0["kind"] ?? "")/\((($0["links"] as? [String: String]) ?? [:])["reservationId"] ?? "")" }
        #expect(Set(keys).count == keys.count, "never the same notification twice: \(keys)")
        let merchantInbox = try await HTTP.get("\(base)/v1/me/notifications?limit=1", token: merchant.accessToken)
        let merchantCursor = try merchantInbox.json()["nextCursor"] as? String
        #expect(merchantInbox.status == 200 && merchantCursor != nil)
        let first = try #require(inbox.first?["id"] as? String)
        let unreadBefore = try #require(try await HTTP.get("\(base)/v1/me/notifications", token: customer.accessToken).json()["unread"] as? Int)
        #expect(try await HTTP.send("POST", "\(base)/v1/me/notifications/\(first)/read", token: customer.accessToken).status == 204)
        #expect(try await HTTP.get("\(base)/v1/me/notifications", token: customer.accessToken).json()["unread"] as? Int == unreadBefore - 1)
        #expect(try await HTTP.send("POST", "\(base)/v1/me/notifications/\(first)/read", token: merchant.accessToken).status == 404, "not theirs")
        _ = deployment.stopAll()
    }

    /// Runs `ecoresupply codes unlock` against the deployment; its exit status and output.
    static func unlockCodes(_ reservation: String, reason: String, in deployment: TestDeployment) async throws -> (status: Int32, printed: String) {
        let logURL = deployment.root.appendingPathComponent("codes-unlock-\(UUID().uuidString.prefix(6)).log")
        let command = try ServiceProcess(
            name: "codes-unlock", executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: ["codes", "unlock", "--reservation", reservation, "--reason", reason, "--bus-port", "\(deployment.topology.busPort)"],
            logURL: logURL)
        _ = try await eventually("codes unlock to finish", timeout: .seconds(30)) { command.isRunning ? nil : true }
        return (command.process.terminationStatus, (try? String(contentsOf: logURL, encoding: .utf8)) ?? "")
    }
}
