import EcoBus
import EcoConfig
import Foundation
import GatewayService
import Testing

@Suite("Readiness: the gateway's /readyz decision")
struct ReadinessTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)
    let readiness = Readiness(gatewayInstance: "gateway")

    /// Every process of a deployment, each with a heartbeat `age` seconds old.
    private func directory(
        _ sources: [(source: String, service: String)] = ReadinessTests.everyone,
        age: (String) -> TimeInterval = { _ in 0 }
    ) -> [String: ProducerDirectory.Entry] {
        let directory = ProducerDirectory()
        for (source, service) in sources {
            directory.record(
                source: source, Heartbeat(latest: 1, replay: "tcp://127.0.0.1:1", service: service),
                at: now.addingTimeInterval(-age(source)))
        }
        return directory.snapshot
    }

    static let everyone: [(source: String, service: String)] = [
        ("gateway", "gateway"), ("ingest", "ingest"), ("matcher-0", "matcher"), ("matcher-1", "matcher"),
        ("reporting", "reporting"), ("notifications", "notifications"), ("pickup-validator", "pickup-validator"),
    ]

    @Test("ready when the gateway's own heartbeat and every required service are present")
    func readyWhenAllPresent() {
        let report = readiness.evaluate(directory(), now: now)
        #expect(report.ready)
        #expect(report.checks == [
            "bus": true, "ingest": true, "matcher": true, "reporting": true, "notifications": true, "pickup-validator": true,
        ])
    }

    @Test("heartbeats up to the window old still count")
    func readyAtWindowEdge() {
        let report = readiness.evaluate(directory(age: { _ in Readiness.window }), now: now)
        #expect(report.ready)
    }

    @Test("not ready when the gateway's own heartbeat is missing: the bus is not proven up")
    func notReadyWithoutOwnHeartbeat() {
        let report = readiness.evaluate(directory(Self.everyone.filter { $0.source != "gateway" }), now: now)
        #expect(!report.ready)
        #expect(report.checks["bus"] == false)
        #expect(report.checks["ingest"] == true)
    }

    @Test("not ready when the gateway's own heartbeat is stale")
    func notReadyWithStaleOwnHeartbeat() {
        let report = readiness.evaluate(directory(age: { $0 == "gateway" ? Readiness.window + 0.5 : 0 }), now: now)
        #expect(!report.ready)
        #expect(report.checks["bus"] == false)
    }

    @Test("a heartbeat from another gateway instance does not prove this gateway's bus")
    func otherGatewayDoesNotCount() {
        let sources = Self.everyone.map { $0.source == "gateway" ? (source: "gateway-old", service: "gateway") : $0 }
        let report = readiness.evaluate(directory(sources), now: now)
        #expect(report.checks["bus"] == false)
        #expect(!report.ready)
    }

    @Test("not ready when a required service is missing", arguments: ["ingest", "matcher", "reporting", "notifications", "pickup-validator"])
    func notReadyWithoutRequiredService(service: String) {
        let report = readiness.evaluate(directory(Self.everyone.filter { $0.service != service }), now: now)
        #expect(!report.ready)
        #expect(report.checks[service] == false)
        #expect(report.checks["bus"] == true)
        #expect(report.checks.filter { !$0.value }.keys.sorted() == [service])
    }

    @Test("not ready when a required service's only heartbeat is stale")
    func notReadyWithStaleService() {
        let report = readiness.evaluate(directory(age: { $0 == "reporting" ? 10 : 0 }), now: now)
        #expect(!report.ready)
        #expect(report.checks["reporting"] == false)
    }

    @Test("one live matcher worker is enough")
    func oneMatcherEnough() {
        let report = readiness.evaluate(directory(age: { $0 == "matcher-0" ? 60 : 0 }), now: now)
        #expect(report.ready)
        #expect(report.checks["matcher"] == true)
    }

    @Test("an empty directory is not ready, and reports every check as failed")
    func emptyDirectory() {
        let report = readiness.evaluate([:], now: now)
        #expect(!report.ready)
        #expect(report.checks.count == 6)
        #expect(report.checks.values.allSatisfy { !$0 })
    }

    @Test("with no required services only the bus check counts")
    func noRequiredServices() {
        let onlyBus = Readiness(gatewayInstance: "gateway", required: [])
        let report = onlyBus.evaluate(directory([("gateway", "gateway")]), now: now)
        #expect(report.ready)
        #expect(report.checks == ["bus": true])
    }
}
