import EcoConfig
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Reservations are safe to retry: with an `Idempotency-Key`, the same request sent again, at once
/// or after a lost answer, makes one reservation and takes its baskets once. Real processes.
struct UnexpectedReply: Error, CustomStringConvertible {
    let what: String
    let reply: HTTP.Reply
    var description: String { "\(what): \(reply.status) \(reply.text)" }
}

@Suite("Reservations retried with an Idempotency-Key", .serialized)
struct ReservationRetryTests {
    static func reserve(_ base: String, _ lotID: String, baskets: Int = 1, key: String?, token: String, session: URLSession = .shared) async throws -> HTTP.Reply {
        try await HTTP.send(
            "POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": baskets], token: token,
            headers: key.map { ["Idempotency-Key": $0] } ?? [:], session: session)
    }

    static func reservationID(_ reply: HTTP.Reply) -> String? {
        (try? reply.json()["reservation"] as? [String: Any])?["id"] as? String
    }

    /// The taker's reservations, as every worker holds them.
    static func myReservations(_ base: String, token: String) async throws -> [String] {
        let reply = try await HTTP.get("\(base)/v1/me/reservations", token: token)
        guard reply.status == 200 else { throw UnexpectedReply(what: "GET /v1/me/reservations", reply: reply) }
        return ((try reply.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test("200 requests at once with one key make one reservation and take one basket; the key with another body is a 422")
    func concurrentRetries() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "retry-shop@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "retry-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Retried", baskets: 5), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String)

        let replies = try await withThrowingTaskGroup(of: HTTP.Reply.self) { group in
            for _ in 0..<200 {
                group.addTask { try await Self.reserve(base, lotID, key: "basket-for-tonight", token: customer.accessToken, session: HTTP.wide) }
            }
            return try await group.reduce(into: [HTTP.Reply]()) { $0.append($1) }
        }
        let statuses = Dictionary(grouping: replies.map(\.status), by: { $0 }).mapValues(\.count)
        #expect(statuses == [201: 200], "every copy is answered as the first: \(statuses) \(replies.first { $0.status != 201 }?.text ?? "")")
        let ids = Set(replies.compactMap(Self.reservationID))
        #expect(ids.count == 1, "one reservation: \(ids)")
        let id = try #require(ids.first)
        #expect(try await Self.myReservations(base, token: customer.accessToken) == [id])

        // The key again with another body changes nothing and says why.
        let other = try await Self.reserve(base, lotID, baskets: 2, key: "basket-for-tonight", token: customer.accessToken)
        #expect(other.status == 422 && other.errorCode == "idempotency_mismatch" && other.errorField == "Idempotency-Key", "\(other.status) \(other.text)")
        let badKey = try await Self.reserve(base, lotID, key: "two words", token: customer.accessToken)
        #expect(badKey.status == 400 && badKey.errorField == "Idempotency-Key", "\(badKey.text)")

        // One basket was taken: the other four are there, and then none.
        let rest = try await Self.reserve(base, lotID, baskets: 4, key: "the-rest", token: customer.accessToken)
        #expect(rest.status == 201, "\(rest.text)")
        let none = try await Self.reserve(base, lotID, key: "one-more", token: customer.accessToken)
        #expect(none.status == 409, "\(none.text)")
        // A key is the account's own: another account's same key is another reservation (refused: sold out).
        let neighbour = try await HTTPSession.signUp(base, "retry-neighbour@example.org")
        let theirs = try await Self.reserve(base, lotID, key: "basket-for-tonight", token: neighbour.accessToken)
        #expect(theirs.status == 409, "\(theirs.text)")
        #expect(try await Self.myReservations(base, token: neighbour.accessToken).isEmpty)
        _ = deployment.stopAll()
    }

    @Test("a reservation whose answer was lost (its worker stopped past the gateway's timeout), retried with its key, is one reservation")
    func lostAnswer() async throws {
        let deployment = try await TestDeployment.make(matchers: 1)
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "lost-answer-shop@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "lost-answer-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Lost answer", baskets: 2), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String)

        let worker = try deployment.process(ServiceInstance(.matcher, index: 0).name)
        worker.send(signal: SIGSTOP)
        let lost: HTTP.Reply
        do {
            lost = try await Self.reserve(base, lotID, key: "lost-1", token: customer.accessToken)
        } catch {
            worker.send(signal: SIGCONT)
            throw error
        }
        worker.send(signal: SIGCONT)
        #expect(lost.status == 503, "the gateway gave up on the stopped worker: \(lost.status) \(lost.text)")
        // The worker got the request all the same, and made the reservation once it ran again.
        let made = try await eventually("the stopped worker to make the reservation") {
            try await Self.myReservations(base, token: customer.accessToken).first
        }
        let retried = try await Self.reserve(base, lotID, key: "lost-1", token: customer.accessToken)
        #expect(retried.status == 201 && Self.reservationID(retried) == made, "\(retried.text)")
        #expect(try await Self.myReservations(base, token: customer.accessToken) == [made])
        // One basket of two was taken.
        #expect(try await Self.reserve(base, lotID, key: "lost-2", token: customer.accessToken).status == 201)
        #expect(try await Self.reserve(base, lotID, key: "lost-3", token: customer.accessToken).status == 409)
        _ = deployment.stopAll()
    }
}
