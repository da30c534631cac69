import EcoBus
import EcoConfig
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

/// Outbox retention of ingest's materials stream over the real processes (docs/decisions/0014):
/// once ingest has dropped the stream's start, a matcher worker that lost its store copies a
/// peer's ledger at start, and goes on exactly as its peer does.
@Suite("Materials ledger handover over the bus", .serialized)
struct MaterialsHandoverTests {
    @Test("a worker whose store is gone, after ingest compacted the materials stream, takes a peer's ledger and stays equal to it")
    func handover() async throws {
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

        // Ingest drops its whole materials stream, as its retention job does after 30 days, and
        // matcher-1 loses its store.
        _ = deployment.stopAll()
        let ingestFile = deployment.dataDirectory.appendingPathComponent("\(ServiceInstance(.ingest).name).sqlite").path
        let dropped = try await DatabaseQueue(path: ingestFile).write { db in
            try OutboxCompaction.expire(topics: MaterialsStream.topics, before: Date().addingTimeInterval(1), in: db)
        }
        #expect(dropped >= 2)
        let left = try await DatabaseQueue(path: ingestFile).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_outbox WHERE topic IN (?, ?)", arguments: [ListingPublished.topic, DemandPublished.topic])
        }
        #expect(left == 0, "the listing and the demand are gone from ingest's stream")
        let lost = ServiceInstance(.matcher, index: 1), peer = ServiceInstance(.matcher, index: 0)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: deployment.dataDirectory.appendingPathComponent("\(lost.name).sqlite\(suffix)"))
        }

        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let (handed, held) = try await eventually("matcher-1 to hold matcher-0's ledger", timeout: .seconds(30)) { () -> (LedgerSnapshot, LedgerSnapshot)? in
            let pair = try Self.ledgers(deployment, lost, peer)
            return pair.0.listings.isEmpty ? nil : pair
        }
        #expect(handed.appliedThrough > 0)
        #expect(Self.withoutPosition(handed) == Self.withoutPosition(held))
        #expect(handed.listings.count == 1 && handed.demands.count == 1 && handed.proposals.count == 1)
        #expect(deployment.fullLog(lost.name).contains("materials ledger handed over by a peer"))
        #expect(!deployment.fullLog(peer.name).contains("materials ledger handed over"), "the peer kept its own")

        // Both go on from there as one: the listing's last tonne goes to a new demand, proposed once.
        #expect(try await HTTP.send("POST", "\(base)/v1/demands", json: MaterialsExchangeTests.demand(["17 02 01"]), token: latecomer.accessToken).status == 201)
        _ = try await eventually("both ledgers to hold the second proposal, equal", timeout: .seconds(30)) { () -> Bool? in
            let (one, zero) = try Self.ledgers(deployment, lost, peer)
            return one.proposals.count == 2 && Self.withoutPosition(one) == Self.withoutPosition(zero) ? true : nil
        }
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
        #expect(announced.reduce(0, +) == 1, "announced once, by the listing's owner, across both workers: \(announced)")
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
