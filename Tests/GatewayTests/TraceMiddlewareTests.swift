import EcoBus
import EcoObservability
import Foundation
import GatewayService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Keeps the lines logged through it, with the metadata its provider adds when each is written.
final class CapturedLines: Sendable {
    let lines = Mutex<[(message: String, metadata: Logger.Metadata)]>([])

    var logger: Logger {
        Logger(label: "test.access") { _ in CapturingHandler(captured: self, metadataProvider: TraceContext.loggingMetadata) }
    }

    struct CapturingHandler: LogHandler {
        let captured: CapturedLines
        var metadataProvider: Logger.MetadataProvider?
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(explicit ?? [:]) { $1 }
            captured.lines.withLock { $0.append((message.description, merged)) }
        }
    }
}

@Suite("Gateway: every request traced, logged once and answered with its trace (in process)")
struct TraceMiddlewareTests {
    static let example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let traceparent = HTTPField.Name("traceparent")!
    static let traceresponse = HTTPField.Name("traceresponse")!

    static func application(_ captured: CapturedLines) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: TraceMiddleware())
        router.add(middleware: AccessLogMiddleware(logger: captured.logger))
        router.add(middleware: ErrorMiddleware())
        router.get("/v1/things/:id") { _, _ in TraceContext.current?.traceID ?? "none" }
        router.get("/healthz") { _, _ in "ok" }
        router.get("/v1/stream") { _, _ in
            // Written after the handler returned, as the report stream's SSE body is.
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: TraceContext.current?.traceID ?? "none"))
                try await writer.finish(nil)
            })
        }
        router.get("/v1/refused") { _, _ -> String in throw APIError(.conflict, code: "conflict", message: "no") }
        return Application(router: router)
    }

    @Test("a caller's valid traceparent continues: the handler runs under its trace id, the answer names it, the access line carries it")
    func continuesTheCallersTrace() async throws {
        let captured = CapturedLines()
        try await Self.application(captured).test(.router) { client in
            let response = try await client.execute(uri: "/v1/things/lot-42?lat=43.3", method: .get, headers: [Self.traceparent: Self.example])
            #expect(String(buffer: response.body) == "4bf92f3577b34da6a3ce929d0e0e4736")
            let answered = try #require(response.headers[Self.traceresponse].flatMap(TraceContext.init(traceparent:)))
            #expect(answered.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && answered.parentID != "00f067aa0ba902b7", "the gateway's own span")
        }
        let lines = captured.lines.withLock { $0 }
        try #require(lines.count == 1, "one line per request: \(lines)")
        let metadata = lines[0].metadata
        #expect(lines[0].message == "http request")
        #expect(metadata["correlation.id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(metadata["http.route"] == "/v1/things/{id}", "the pattern, not the id or the query")
        #expect(metadata["http.method"] == "GET" && metadata["http.status"] == "200")
        #expect(!"\(lines)".contains("lot-42") && !"\(lines)".contains("43.3"))
    }

    @Test("a streamed body, written after its handler returned, is written under the request's trace")
    func streamedBodyKeepsTheTrace() async throws {
        try await Self.application(CapturedLines()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/stream", method: .get, headers: [Self.traceparent: Self.example])
            #expect(String(buffer: response.body) == "4bf92f3577b34da6a3ce929d0e0e4736")
        }
    }

    @Test("without a valid traceparent a new trace starts; a refusal is logged with its status and answered with its trace")
    func startsATraceAndAnswersRefusals() async throws {
        let captured = CapturedLines()
        try await Self.application(captured).test(.router) { client in
            let fresh = try await client.execute(uri: "/v1/things/1", method: .get, headers: [Self.traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01"])
            let started = try #require(fresh.headers[Self.traceresponse].flatMap(TraceContext.init(traceparent:)))
            #expect(String(buffer: fresh.body) == started.traceID && started.traceID != "00000000000000000000000000000000")
            let probe = try await client.execute(uri: "/healthz", method: .get)
            #expect(probe.status == .ok && probe.headers[Self.traceresponse] != nil, "a probe is traced but not logged")
            let refused = try await client.execute(uri: "/v1/refused", method: .get)
            #expect(refused.status == .conflict)
            let trace = try #require(refused.headers[Self.traceresponse].flatMap(TraceContext.init(traceparent:)))
            #expect(trace.traceID != started.traceID)
            let lines = captured.lines.withLock { $0 }
            #expect(lines.map { $0.metadata["http.status"] } == ["200", "409"])
            #expect(lines.last?.metadata["correlation.id"] == .string(trace.traceID))
        }
    }

    @Test("library metrics are renamed under the ecoresupply_ prefix with Prometheus-safe names; the project's own keep theirs")
    func metricNames() {
        let (name, labels) = MetricNames.sanitize("hb.requests", [("http.route", "/v1/lots"), ("http.response.status_code", "200")])
        #expect(name == "ecoresupply_http_requests_total")
        #expect(labels.map(\.0) == ["http_route", "http_response_status_code"] && labels.map(\.1) == ["/v1/lots", "200"])
        #expect(MetricNames.sanitize("http.server.request.duration", []).0 == "ecoresupply_http_request_duration_seconds")
        #expect(MetricNames.sanitize("ecoresupply_webhook_attempts_total", []).0 == "ecoresupply_webhook_attempts_total")
        #expect(MetricNames.sanitize("some.library-metric", []).0 == "ecoresupply_some_library_metric")
    }
}
