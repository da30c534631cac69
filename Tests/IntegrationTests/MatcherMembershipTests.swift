import EcoConfig
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

/// Matcher workers joining and leaving a running deployment (docs/decisions/0016): nobody is
/// restarted; ingest names the live workers in its ticks and the market's parts follow them.
@Suite("Matcher workers join and leave", .serialized)
struct MatcherMembershipTests {
    @Test("grow from 2 to 3 workers, SIGKILL one, shrink to 1, nothing restarted: each part held once, no over-allocation, the same proposals as one worker")
    func joinAndLeave() async throws {
        let deployment = try await TestDeployment.make(matchers: 3)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.3", "--territory", try MatcherScalingTests.marketTerritory(in: deployment)]
        let ingest = ServiceInstance(.ingest)
        func worker(_ index: Int) -> ServiceInstance { ServiceInstance(.matcher, index: index) }
        try await deployment.startAnswering(ingest, worker(0), worker(1))
        let workload = MaterialWorkload(seed: 11, listings: 3_000, demands: 3_000)

        // Ingest ticks once something is published; its ticks then name workers 0 and 1.
        try await MatcherScalingTests.publish(workload, range: 0..<1_000, to: deployment)
        try await Self.awaitMembers([0, 1], in: deployment)
        let two = try await MatcherScalingTests.settle(deployment, workers: 3, live: [0, 1])
        try MatcherScalingTests.check(two, minimumPairs: 40)

        // Grow: a third worker starts; the others keep running.
        try deployment.start(worker(2))
        try await deployment.awaitAnswering(worker(2))
        try await Self.awaitMembers([0, 1, 2], in: deployment)
        #expect(deployment.fullLog(worker(2).name).contains("market parts moved at a tick"))
        try await MatcherScalingTests.publish(workload, range: 1_000..<2_000, to: deployment)
        let three = try await MatcherScalingTests.settle(deployment, workers: 3, live: [0, 1, 2])
        try MatcherScalingTests.check(three)
        #expect((three.announcedBy[2] ?? []).count > 0, "the new worker announces for the parts it took")

        // SIGKILL: worker 1's parts go to the two others within a tick of ingest no longer hearing it.
        try deployment.kill(worker(1).name)
        try await Self.awaitMembers([0, 2], in: deployment)
        try await MatcherScalingTests.publish(workload, range: 2_000..<2_500, to: deployment)
        try MatcherScalingTests.check(try await MatcherScalingTests.settle(deployment, workers: 3, live: [0, 2]))

        // Shrink: worker 2 stops; worker 0 holds the whole market.
        try deployment.kill(worker(2).name, signal: SIGTERM)
        try await Self.awaitMembers([0], in: deployment)
        try await MatcherScalingTests.publish(workload, range: 2_500..<3_000, to: deployment)
        let one = try await MatcherScalingTests.settle(deployment, workers: 3, live: [0])
        try MatcherScalingTests.check(one)
        #expect(one.reference.count > 500, "a meaningful number of proposals: \(one.reference.count)")
        _ = deployment.stopAll()
    }

    /// Waits until every member has applied a tick naming exactly `members`.
    static func awaitMembers(_ members: [Int], in deployment: TestDeployment) async throws {
        let expected = members.map(String.init).joined(separator: ",")
        for index in members {
            let database = try deployment.database(of: ServiceInstance(.matcher, index: index))
            _ = try await eventually("matcher-\(index) to apply a tick naming \(expected)", timeout: .seconds(60), interval: .milliseconds(200)) { () -> Bool? in
                try deployment.checkRunning("matcher-\(index)")
                let applied = try await database.read { db in try String.fetchOne(db, sql: "SELECT members FROM material_membership WHERE id = 1") }
                return applied == expected ? true : nil
            }
        }
    }
}
