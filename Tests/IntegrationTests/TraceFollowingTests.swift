import EcoBus
import EcoConfig
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// One HTTP request can be followed by its id through the logs of every process it reached
/// (docs/decisions/0018), and the gateway's `/metrics` counts it under the one prefix. Real processes.
@Suite("One request followed through every process's log", .serialized)
struct TraceFollowingTests {
    @Test("a reservation sent with a traceparent is answered with its trace, and every process that handled it logs that trace id")
    func reservationFollowed() async throws {
        let deployment = try await TestDeployment.make(matchers: 1)
        let instances = BusTopology.instances(matchers: 1)
        for instance in instances { deployment.extraArguments[instance.name, default: []] += ["--log-level", "debug"] }
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "traced-bakery@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "traced-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Traced", baskets: 3), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String, "\(lot.text)")

        let trace = TraceContext.start()
        let reserved = try await HTTP.send(
            "POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken,
            headers: ["traceparent": trace.traceparent])
        #expect(reserved.status == 201, "\(reserved.text)")
        let answered = try #require(reserved.header("traceresponse").flatMap(TraceContext.init(traceparent:)), "\(reserved.headers)")
        #expect(answered.traceID == trace.traceID)

        // The worker answered the gateway's request under the trace, and each consumer of
        // `reservation.created` (ingest's baskets, the pickup validator, notifications) applied
        // the event under it: the trace went with the request and then with the event.
        let expected: [(process: String, says: String)] = [
            ("matcher-0", "bus.kind=reservation.create"),
            ("ingest", "event.type=reservation.created"), ("pickup-validator", "event.type=reservation.created"),
            ("notifications", "event.type=reservation.created"),
        ]
        for (name, says) in expected {
            let line = try await eventually("\(name) to log \(says) under trace \(trace.traceID)", timeout: .seconds(20)) {
                deployment.fullLog(name).split(separator: "\n").first { $0.contains("correlation.id=\(trace.traceID)") && $0.contains(says) }
            }
            #expect(!line.isEmpty)
        }
        let access = deployment.fullLog("gateway").split(separator: "\n").filter { $0.contains("http request") && $0.contains(trace.traceID) }
        #expect(access.count == 1, "one access line for the request: \(access)")
        #expect(access.first?.contains("http.route=/v1/lots/{id}/reservations") == true && access.first?.contains("http.status=201") == true)
        #expect(access.first?.contains(lotID) == false, "the route's pattern, not the lot's id")
        // A request sent without one gets a trace of its own.
        let other = try await HTTP.get("\(base)/v1/lots/\(lotID)")
        let own = try #require(other.header("traceresponse").flatMap(TraceContext.init(traceparent:)))
        #expect(own.traceID != trace.traceID)

        // The HTTP metrics, under the one prefix, labelled by service.
        let metrics = try await HTTP.get("\(base)/metrics").text
        #expect(metrics.contains("ecoresupply_http_requests_total{service=\"gateway\""), "\(metrics.prefix(400))")
        #expect(metrics.contains("http_route=\"/v1/lots/{id}/reservations\""))
        #expect(metrics.contains("ecoresupply_http_request_duration_seconds_bucket{service=\"gateway\""))
        #expect(!metrics.contains("\nhb_") && !metrics.contains("\nhttp_server"), "no metric outside the prefix")
        _ = deployment.stopAll()
    }

    @Test("a report filed under a traceparent reaches a pyzmq subscriber with that trace, as the W3C and CloudEvents grammars say")
    func reportEventCarriesTheTrace() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let state = deployment.root.appendingPathComponent("municipal")
        let subscriber = try ReportZeroMQStreamTests.Subscriber(
            xpub: deployment.topology.subscribeEndpoint, state: state, log: deployment.root.appendingPathComponent("subscriber.log"))
        defer { subscriber.kill() }
        try await subscriber.awaitReady()

        _ = try await ReportFiler(base: base).file()  // untraced by the caller: the gateway starts a trace
        let trace = TraceContext.start()
        let traced = try await HTTP.send(
            "POST", "\(base)/v1/reports", json: ReportsTests.report(["contact": NSNull()]), headers: ["traceparent": trace.traceparent])
        #expect(traced.status == 201, "\(traced.text)")
        let events = try await eventually("both report.filed events at the subscriber") {
            try subscriber.checkRunning()
            let events = try ReportZeroMQStreamTests.received(state)
            return events.count >= 2 ? events : nil
        }
        #expect(events.allSatisfy { $0["traceparent"] is String }, "every event a request caused is traced")

        let check = try PythonFixture("trace_check.py", arguments: [state.appendingPathComponent("events.jsonl").path],
                                      log: deployment.root.appendingPathComponent("trace-check.log"))
        #expect(try await check.awaitExit() == 0, "\(check.output.lines)")
        let lines = try await eventually("trace_check.py's two lines") { check.output.lines.count >= 2 ? check.output.lines : nil }
        let traceIDs = lines.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(traceIDs.count == 2 && traceIDs.last == trace.traceID && traceIDs.first != trace.traceID, "\(lines)")
        _ = deployment.stopAll()
    }
}
