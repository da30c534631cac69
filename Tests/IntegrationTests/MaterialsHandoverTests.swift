import EcoBus
import EcoConfig
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

/// A matcher worker whose store is gone (docs/decisions/0016): it replays ingest's materials stream,
/// which ingest keeps whole, holds again the market parts it held, and goes on exactly as before.
@Suite("Materials ledger rebuilt over the bus", .serialized)
struct MaterialsHandoverTests {
    @Test("a worker whose store is gone rebuilds its parts from ingest's stream; its peer's are untouched; the market goes on, proposing once")
    func rebuild() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.2", "--share-after", "600", "--proposal-timeout", "600"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let giver = try await HTTPSession.signUp(base, "handover-giver@example.org", roles: ["merchant"])
        let taker = try await HTTPSession.signUp(base, "handover-taker@example.org", roles: ["merchant"])
        let latecomer = try await HTTPSession.signUp(base, "handover-latecomer@example.org", roles: ["merchant"])
        #expect(try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing(), token: giver.accessToken).status == 201)
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: MaterialsExchangeTests.demand(["17 02 01"]), token: taker.accessToken).status == 201)
        _ = try await eventually("a proposal for the taker") { () -> Bool? in
            (try await HTTP.get("\(base)/v1/proposals", token: taker.accessToken).json()["items"] as? [[String: Any]])?.isEmpty == false ? true : nil
        }
        let workers = [ServiceInstance(.matcher, index: 0), ServiceInstance(.matcher, index: 1)]
        // The listing and the demand are in one part; whichever worker holds it loses its store.
        let (lost, peer) = try await eventually("one worker to hold the listing's part") { () -> (ServiceInstance, ServiceInstance)? in
            let (zero, one) = try Self.ledgers(deployment, workers[0], workers[1])
            if zero.proposals.count == 1 && one.listings.isEmpty { return (workers[0], workers[1]) }
            if one.proposals.count == 1 && zero.listings.isEmpty { return (workers[1], workers[0]) }
            return nil
        }
        let before = try Self.ledgers(deployment, lost, peer)

        _ = deployment.stopAll()
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: deployment.dataDirectory.appendingPathComponent("\(lost.name).sqlite\(suffix)"))
        }
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        _ = try await eventually("\(lost.name) to hold its part again", timeout: .seconds(30)) { () -> Bool? in
            try Self.ledgers(deployment, lost, peer).0.proposals.count == 1 ? true : nil
        }
        let (rebuilt, untouched) = try Self.ledgers(deployment, lost, peer)
        #expect(Self.withoutPosition(rebuilt) == Self.withoutPosition(before.0), "the rebuilt ledger is the one that was lost")
        #expect(Self.withoutPosition(untouched) == Self.withoutPosition(before.1), "the peer's is untouched")
        #expect(!deployment.fullLog(lost.name).contains("may be incomplete"))

        // It goes on from there: the listing's last tonne goes to a new demand, proposed once.
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: MaterialsExchangeTests.demand(["17 02 01"]), token: latecomer.accessToken).status == 201)
        let proposals = try await eventually("the latecomer's proposal") { () -> [[String: Any]]? in
            let items = try await HTTP.get("\(base)/v1/proposals", token: latecomer.accessToken).json()["items"] as? [[String: Any]]
            return items?.isEmpty == false ? items : nil
        }
        #expect(proposals.count == 1 && proposals.first?["quantityKg"] as? Double == 1000)
        let proposalID = try #require(proposals.first?["id"] as? String)
        let announced = try [lost, peer].map { instance in
            try deployment.database(of: instance).read { db in
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM bus_outbox WHERE topic = ? AND instr(payload, CAST(? AS BLOB)) > 0",
                    arguments: [ProposalChanged.createdTopic, proposalID]) ?? 0
            }
        }
        #expect(announced == [1, 0], "announced once, by the part's holder: \(announced)")
        _ = deployment.stopAll()
    }

    static func ledgers(_ deployment: TestDeployment, _ first: ServiceInstance, _ second: ServiceInstance) throws -> (LedgerSnapshot, LedgerSnapshot) {
        (try deployment.database(of: first).read { try LedgerSnapshot.read($0) }, try deployment.database(of: second).read { try LedgerSnapshot.read($0) })
    }

    /// The ledger without how far into ingest's stream it is (the workers read the ticks at their own pace).
    static func withoutPosition(_ snapshot: LedgerSnapshot) -> LedgerSnapshot {
        var copy = snapshot
        copy.appliedThrough = 0
        return copy
    }
}
