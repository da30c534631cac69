import EcoConfig
import EcoModel
import Foundation
import GRDB
import Testing

/// A matcher worker whose store is lost for good, released by an operator with
/// `ecoresupply lots release --worker N` (docs/decisions/0017 step 3), on real processes: the
/// release is refused while the worker runs; once it is SIGKILLed and its file deleted, its lots
/// wait (503) until the release, and are then rebuilt at the remaining worker from the reservations
/// and collector missions it relayed, which stay readable and keep their baskets.
@Suite("A lost worker's food lots, released by an operator", .serialized)
struct LostWorkerTests {
    static let baskets = 4

    @Test("lots release: refused while the worker runs; after SIGKILL and its store deleted, its lots hold what it relayed and sell only what is left")
    func releaseALostWorker() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.3"]
        func worker(_ index: Int) -> ServiceInstance { ServiceInstance(.matcher, index: index) }
        try await deployment.startAnswering(ServiceInstance(.ingest), ServiceInstance(.pickupValidator), ServiceInstance(.notifications),
                                            ServiceInstance(.reporting), worker(0), worker(1), ServiceInstance(.gateway))
        let base = deployment.httpBase
        _ = try await deployment.awaitHTTP("/healthz")
        let merchant = try await HTTPSession.signUp(base, "lost-worker-bakery@example.org", roles: ["merchant"])
        let customers = [try await HTTPSession.signUp(base, "lost-worker-a@example.org"), try await HTTPSession.signUp(base, "lost-worker-b@example.org")]
        // Lots until worker 1 holds two of them and worker 0 one, under the members 0 and 1.
        var lots: [String] = []
        func held(by index: Int) -> [String] { lots.filter { LotHolders.holder(of: $0, members: [0, 1]) == index } }
        while held(by: 1).count < 2 || held(by: 0).isEmpty {
            let reply = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Lot \(lots.count)", baskets: Self.baskets, startIn: -600),
                                            token: merchant.accessToken)
            lots.append(try #require(try reply.json()["id"] as? String, "\(reply.text)"))
            try #require(lots.count < 40, "lots keep falling on one worker")
        }
        try await LotMembershipTests.awaitMembers([0, 1], in: deployment)
        // Each customer reserves one basket of every lot.
        var reservations: [String: (lot: String, customer: Int)] = [:]
        for lot in lots {
            for (index, customer) in customers.enumerated() {
                let reply = try await HTTP.send("POST", "\(base)/v1/lots/\(lot)/reservations", json: ["baskets": 1], token: customer.accessToken)
                let id = try #require((try reply.json()["reservation"] as? [String: Any])?["id"] as? String, "\(reply.status) \(reply.text)")
                reservations[id] = (lot, index)
            }
        }
        let lost = held(by: 1)
        // An association asks for one basket of worker 1's first lot to be collected.
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let association = try await HTTPSession.signUp(base, "lost-worker-association@example.org")
        let promoted = try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(association.accountID)/roles", json: ["role": "association"], token: admin.accessToken)
        #expect(promoted.status == 200, "\(promoted.text)")
        let associationSession = try await HTTPSession.logIn(base, "lost-worker-association@example.org")
        let asked = try await HTTP.send("POST", "\(base)/v1/missions", json: ["lotId": lost[0], "baskets": 1], token: associationSession.accessToken)
        let missionID = try #require((try asked.json()["mission"] as? [String: Any])?["id"] as? String, "\(asked.status) \(asked.text)")
        let deliveryCode = try #require(try asked.json()["deliveryCode"] as? String, "\(asked.text)")
        let survivor = try deployment.database(of: worker(0))
        _ = try await eventually("worker 0 to keep a copy of each reservation worker 1 relayed", timeout: .seconds(30), interval: .milliseconds(100)) {
            () -> Bool? in
            let copies = try await survivor.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM relayed_reservations WHERE worker = 1") ?? 0 }
            let missions = try await survivor.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM relayed_missions WHERE worker = 1") ?? 0 }
            return copies == lost.count * customers.count + 1 && missions == 1 ? true : nil
        }

        let alive = try await Self.release(1, in: deployment, log: "release-alive")
        #expect(alive.status != 0 && alive.printed.contains("matcher-1 is alive"), "\(alive.printed)")

        // Worker 1 dies with its store: its lots wait for it.
        try deployment.kill(worker(1).name)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: deployment.dataDirectory.appendingPathComponent("matcher-1.sqlite\(suffix)"))
        }
        try await LotMembershipTests.awaitMembers([0], in: deployment)
        let waiting = try await HTTP.send("POST", "\(base)/v1/lots/\(lost[0])/reservations", json: ["baskets": 1], token: customers[0].accessToken)
        #expect(waiting.status == 503, "\(waiting.status) \(waiting.text)")

        let released = try await Self.release(1, in: deployment, log: "release")
        #expect(released.status == 0 && released.printed.contains("matcher-1 released"), "\(released.printed)")
        _ = try await eventually("worker 0 to hold worker 1's lots", timeout: .seconds(30), interval: .milliseconds(100)) { () -> Bool? in
            let holding = try await survivor.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM lots WHERE holding = 'held' ORDER BY id")
            }
            return Set(lost).isSubset(of: holding) ? true : nil
        }
        // What worker 1 relayed is there: each reservation reads through the gateway, and holds its basket.
        for (id, made) in reservations {
            let reply = try await HTTP.get("\(base)/v1/reservations/\(id)", token: customers[made.customer].accessToken)
            #expect(reply.status == 200, "reservation \(id) of lot \(made.lot): \(reply.status) \(reply.text)")
        }
        // Each customer's list asks the members only: worker 1 is gone, and its lots are at worker 0.
        for (index, customer) in customers.enumerated() {
            let list = try await HTTP.get("\(base)/v1/me/reservations", token: customer.accessToken)
            let ids = (try list.json()["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(list.status == 200 && Set(ids) == Set(reservations.filter { $0.value.customer == index }.keys), "\(list.status) \(list.text)")
        }
        // The mission came back with its lot: its association reads it, and gets the same delivery code.
        let mission = try await HTTP.get("\(base)/v1/missions/\(missionID)", token: associationSession.accessToken)
        let missionStatus = try mission.json()["status"] as? String
        #expect(mission.status == 200 && missionStatus == "requested", "\(mission.status) \(mission.text)")
        let codeAgain = try await HTTP.get("\(base)/v1/missions/\(missionID)/delivery-code", token: associationSession.accessToken)
        let sameCode = try codeAgain.json()["deliveryCode"] as? String
        #expect(codeAgain.status == 200 && sameCode == deliveryCode, "\(codeAgain.status) \(codeAgain.text)")
        let buyer = try await HTTPSession.signUp(base, "lost-worker-c@example.org")
        for lot in lost {
            // The mission holds one basket of the first lot.
            for _ in 0..<(Self.baskets - customers.count - (lot == lost[0] ? 1 : 0)) {
                let reply = try await HTTP.send("POST", "\(base)/v1/lots/\(lot)/reservations", json: ["baskets": 1], token: buyer.accessToken)
                #expect(reply.status == 201, "lot \(lot): \(reply.status) \(reply.text)")
            }
            let soldOut = try await HTTP.send("POST", "\(base)/v1/lots/\(lot)/reservations", json: ["baskets": 1], token: buyer.accessToken)
            #expect(soldOut.status == 409 && soldOut.text.contains("sold out"), "lot \(lot): \(soldOut.status) \(soldOut.text)")
        }
        #expect(deployment.fullLog(worker(0).name).contains("a released worker's lot was rebuilt"))
        _ = deployment.stopAll()
    }

    /// Runs `ecoresupply lots release --worker N` against the deployment; its exit status and output.
    static func release(_ worker: Int, in deployment: TestDeployment, log: String) async throws -> (status: Int32, printed: String) {
        let logURL = deployment.root.appendingPathComponent("\(log).log")
        let command = try ServiceProcess(
            name: log, executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: ["lots", "release", "--worker", "\(worker)", "--bus-port", "\(deployment.topology.busPort)"], logURL: logURL)
        _ = try await eventually("lots release to finish", timeout: .seconds(30)) { command.isRunning ? nil : true }
        return (command.process.terminationStatus, (try? String(contentsOf: logURL, encoding: .utf8)) ?? "")
    }
}
