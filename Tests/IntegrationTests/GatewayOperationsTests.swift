import EcoBus
import EcoRuntime
import EcoConfig
import Foundation
import Testing

/// The gateway's operational endpoints against a whole deployment of real processes.
@Suite("Gateway health, readiness, metrics and OpenAPI", .serialized)
struct GatewayOperationsTests {
    @Test("readiness follows the bus and the services; metrics carry every service's bus counters")
    func readinessAndMetrics() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        let base = "http://127.0.0.1:\(deployment.httpPort)"

        let health = try await deployment.awaitHTTP("/healthz")
        #expect(try health.json()["status"] as? String == "ok")

        let ready = try await deployment.awaitHTTP("/readyz")
        let checks = try #require(try ready.json()["checks"] as? [String: Bool])
        #expect(Set(checks.keys) == ["bus", "ingest", "matcher", "reporting", "notifications", "pickup-validator"])

        // A service that dies makes the gateway not ready, and says which.
        try deployment.kill("ingest")
        let notReady = try await eventually("readiness to notice ingest is gone", timeout: .seconds(15)) {
            let reply = try await HTTP.get("\(base)/readyz")
            return reply.status == 503 ? reply : nil
        }
        let failing = try #require(try notReady.json()["checks"] as? [String: Bool])
        #expect(failing["ingest"] == false)
        #expect(failing["bus"] == true)
        try deployment.start(ServiceInstance(.ingest))
        _ = try await eventually("readiness to come back") {
            try await HTTP.get("\(base)/readyz").status == 200 ? true : nil
        }

        // Every service's counters, labelled by service; published ones show up after a ping run.
        let run = try await deployment.emit(from: ServiceInstance(.ingest), count: 25)
        _ = try await deployment.awaitPings(at: ServiceInstance(.notifications), run: run, count: 25)
        let metrics = try await HTTP.get("\(base)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType?.hasPrefix("text/plain") == true)
        for instance in ["gateway", "ingest", "matcher-0", "reporting", "notifications", "pickup-validator"] {
            #expect(metrics.text.contains("ecoresupply_service_up{service=\"\(instance)\"} 1"), "\(instance) up")
            for family in ["published_total", "delivered_total", "replayed_total", "duplicates_skipped_total", "dead_lettered_total", "consumer_lag"] {
                #expect(metrics.text.contains("ecoresupply_bus_\(family){service=\"\(instance)\"}"), "\(family) for \(instance)")
            }
        }
        // Each service's own counters too, labelled by service: the materials rounds of the worker, the
        // retention purges of every service once its jobs have run.
        #expect(metrics.text.contains("ecoresupply_materials_ticks_applied_total{service=\"matcher-0\"}"), "\(metrics.text)")
        #expect(metrics.text.components(separatedBy: "# TYPE ecoresupply_materials_ticks_applied_total ").count == 2, "one family header")
        #expect(!metrics.text.contains("\nbus_published_total"), "no unprefixed name")
        let published = metrics.text.split(separator: "\n").first { $0.hasPrefix("ecoresupply_bus_published_total{service=\"ingest\"}") }
        #expect(published.flatMap { Int($0.split(separator: " ").last ?? "") } == 25)

        // OpenAPI document and JSON errors.
        let openAPI = try await HTTP.get("\(base)/openapi.json")
        #expect(openAPI.status == 200)
        #expect(try openAPI.json()["openapi"] as? String == "3.1.0")
        let missing = try await HTTP.get("\(base)/no/such/route")
        #expect(missing.status == 404)
        let error = try #require(try missing.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect(error["message"] as? String != nil)

        let statuses = deployment.stopAll()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "every process exits cleanly on SIGTERM: \(statuses)")
    }

    @Test("the gateway is not ready while the forwarder is down; events published meanwhile all arrive once it is back")
    func forwarderOutage() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        try await deployment.awaitHTTP("/readyz")

        try deployment.kill("forwarder")
        let down = try await eventually("readiness to say the bus is gone", timeout: .seconds(15)) {
            let reply = try await HTTP.get("\(base)/readyz")
            let checks = try reply.json()["checks"] as? [String: Bool]
            return reply.status == 503 && checks?["bus"] == false ? reply : nil
        }
        #expect(down.status == 503)

        // Published while nobody can receive it: only the outbox has it.
        let run = try await deployment.emit(from: ServiceInstance(.ingest), count: 200)
        _ = try await eventually("ingest to commit the 200 events") {
            try await deployment.latestSequence(of: ServiceInstance(.ingest)) >= 200 ? true : nil
        }
        try deployment.startForwarder()
        _ = try await eventually("readiness to come back with the bus") {
            try await HTTP.get("\(base)/readyz").status == 200 ? true : nil
        }
        for instance in [ServiceInstance(.reporting), ServiceInstance(.notifications), ServiceInstance(.gateway)] {
            let result = try await deployment.awaitPings(at: instance, run: run, count: 200)
            #expect(result == .init(count: 200, distinct: 200), "\(instance)")
        }
        _ = deployment.stopAll()
    }
}
