import EcoConfig
import Foundation
import Testing

/// Chaos under load (docs/reliability.md): reservations, pickups, reports and materials keep coming
/// while every process, the forwarder included, is SIGKILLed and restarted. At the end nothing a
/// client was told is done is missing or doubled, and every projection agrees with its producer.
///
/// CI kills each process once; `ECORESUPPLY_CHAOS_ROUNDS=5` kills each five times.
/// `ECORESUPPLY_CHAOS_REPORT=<file>` writes the figures as JSON.
@Suite("Chaos under load", .serialized)
struct ChaosTests {
    @Test("every process SIGKILLed under mixed load: every 2xx applied exactly once, no event lost, KPIs equal what was collected")
    func killEverythingUnderLoad() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["ECORESUPPLY_CHAOS_ROUNDS"] ?? "") ?? 1
        let deployment = try await TestDeployment.make(matchers: 3)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.5"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        var customers: [HTTPSession] = []
        for index in 0..<6 { customers.append(try await HTTPSession.signUp(base, "chaos-customer-\(index)@example.org")) }
        let load = ChaosLoad(
            base: base, ledger: ChaosLedger(),
            merchant: try await HTTPSession.signUp(base, "chaos-bakery@example.org", roles: ["merchant"]), customers: customers,
            citizen: try await HTTPSession.signUp(base, "chaos-citizen@example.org"),
            company: try await HTTPSession.signUp(base, "chaos-demolition@example.org", roles: ["merchant"]),
            taker: try await HTTPSession.signUp(base, "chaos-builder@example.org", roles: ["merchant"]))

        let started = ContinuousClock.now
        var monkey = ChaosMonkey(deployment: deployment, rounds: rounds, calm: .milliseconds(1500))
        let stop = ChaosStop()
        let running = Task { await load.run(until: stop) }
        try await monkey.run()
        try await Task.sleep(for: .seconds(2))  // load on the whole system once more: part of the run, not a wait for a condition
        stop.stop()
        await running.value
        let seconds = (ContinuousClock.now - started).components.seconds

        let audit = ChaosAudit(deployment: deployment)
        _ = try await eventually("every consumer to apply every event", timeout: .seconds(90), interval: .milliseconds(250)) { () -> Bool? in
            try audit.lagging().isEmpty ? true : nil
        }
        let kpis = try await HTTP.get("\(base)/v1/kpis").json()
        let findings = try await audit.findings(load.ledger, kpis: kpis, logs: monkey.allLogs())
        let events = try audit.latestSequences().values.reduce(0, +)
        let ledger = load.ledger
        let summary: [String: Any] = [
            "seconds": seconds, "kills": monkey.kills, "killsTotal": monkey.kills.values.reduce(0, +),
            "commandsSent": await ledger.sent.reduce(0) { $0 + $1.value }, "commands2xx": await ledger.totalSucceeded,
            "commandsUnanswered": await ledger.unanswered.reduce(0) { $0 + $1.value },
            "byCommand": Dictionary(uniqueKeysWithValues: await ChaosLedger.Command.allCases.asyncMap { ($0.rawValue, ["sent": await ledger.sent[$0] ?? 0, "2xx": await ledger.succeeded[$0] ?? 0]) }),
            "events": events, "findings": findings.count,
        ]
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
        print("chaos: \(String(decoding: json, as: UTF8.self))")
        if let path = environment["ECORESUPPLY_CHAOS_REPORT"] { try json.write(to: URL(fileURLWithPath: path)) }

        #expect(monkey.kills.count == monkey.names.count && monkey.kills.values.allSatisfy { $0 == rounds }, "\(monkey.kills)")
        for name in ["reservation", "pickup", "report", "listing", "demand"] {
            #expect(((summary["byCommand"] as? [String: [String: Int]])?[name]?["2xx"] ?? 0) > 0, "the load must have done some of each: \(name)")
        }
        #expect(findings.isEmpty, "\(findings.joined(separator: "\n"))")
        _ = deployment.stopAll()
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
