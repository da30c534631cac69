import EcoConfig
import Foundation
import Testing

/// The grid an installation cuts its materials market with (`--market-cell-degrees` on ingest,
/// docs/decisions/0016) decides what the real workers match together, and cannot be changed once
/// the market is cut. Real processes.
@Suite("The market grid of an installation", .serialized)
struct MarketGridDeploymentTests {
    /// A listing and a demand 6.7 km apart, on either side of the 0.5° edge at 43.5° N and in one 1° cell.
    static func publishAcrossTheEdge(_ base: String, giver: HTTPSession, taker: HTTPSession, code: String = "17 02 01") async throws -> String {
        let listing = ListingsTests.listing(["lerCode": code, "location": ["latitude": 43.47, "longitude": 5.40, "address": "Les Milles"]])
        let published = try await HTTP.send("POST", "\(base)/v1/listings", json: listing, token: giver.accessToken)
        #expect(published.status == 201, "\(published.text)")
        var demand = MaterialsExchangeTests.demand([code])
        demand["location"] = ["latitude": 43.53, "longitude": 5.40, "address": "Aix-en-Provence"]
        let wanted = try await HTTP.send("POST", "\(base)/v1/demands", json: demand, token: taker.accessToken)
        #expect(wanted.status == 201, "\(wanted.text)")
        return try #require(try published.json()["id"] as? String)
    }

    static func proposedListings(_ base: String, _ taker: HTTPSession) async throws -> [String] {
        let reply = try await HTTP.get("\(base)/v1/proposals", token: taker.accessToken)
        guard reply.status == 200 else { throw UnexpectedReply(what: "GET /v1/proposals", reply: reply) }
        return ((try reply.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["listingId"] as? String }
    }

    @Test("installed with 1° cells, the workers match across the 0.5° edge; ingest then refuses to start with 0.5°, and starts again with 1°")
    func wideCells() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        let wide = ["--matching-tick", "0.2", "--proposal-timeout", "600", "--market-cell-degrees", "1"]
        deployment.extraArguments["ingest"] = wide
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let giver = try await HTTPSession.signUp(base, "grid-giver@example.org", roles: ["merchant"])
        let taker = try await HTTPSession.signUp(base, "grid-taker@example.org", roles: ["merchant"])
        let listingID = try await Self.publishAcrossTheEdge(base, giver: giver, taker: taker)
        _ = try await eventually("a proposal across the 0.5° edge") { () -> Bool? in
            try await Self.proposedListings(base, taker) == [listingID] ? true : nil
        }

        let ingest = ServiceInstance(.ingest)
        try deployment.kill(ingest.name, signal: SIGTERM)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.2"]
        try deployment.start(ingest)
        let refused = try deployment.process(ingest.name)
        _ = try await eventually("ingest to refuse another grid", timeout: .seconds(60)) { refused.isRunning ? nil : true }
        #expect(refused.process.terminationStatus != 0)
        let log = deployment.fullLog(ingest.name)
        #expect(log.contains("market-cell-degrees") && log.contains("--market-cell-degrees 1.0"), "the refusal says which value to use: \(deployment.logs(ingest.name))")

        deployment.extraArguments["ingest"] = wide
        try deployment.start(ingest)
        try await deployment.awaitAnswering(ingest)
        #expect(try await Self.proposedListings(base, taker) == [listingID])
        _ = deployment.stopAll()
    }

    @Test("with the standard 0.5° cells the same pair is not matched, while a pair inside one cell is")
    func standardCells() async throws {
        let deployment = try await TestDeployment.make(matchers: 1)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.2", "--proposal-timeout", "600"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let giver = try await HTTPSession.signUp(base, "edge-giver@example.org", roles: ["merchant"])
        let taker = try await HTTPSession.signUp(base, "edge-taker@example.org", roles: ["merchant"])
        _ = try await Self.publishAcrossTheEdge(base, giver: giver, taker: taker)
        // Published after the pair across the edge, on the one worker: once it is proposed, a round
        // has run over both pairs.
        let inside = try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing(["lerCode": "17 04 05"]), token: giver.accessToken)
        let insideID = try #require(try inside.json()["id"] as? String)
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: MaterialsExchangeTests.demand(["17 04 05"]), token: taker.accessToken).status == 201)
        let proposed = try await eventually("the pair inside one cell to be proposed") { () -> [String]? in
            let listings = try await Self.proposedListings(base, taker)
            return listings.contains(insideID) ? listings : nil
        }
        #expect(proposed == [insideID], "the pair across the edge stays apart")
        _ = deployment.stopAll()
    }
}
