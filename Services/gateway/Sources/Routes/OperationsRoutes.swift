import EcoBus
import EcoConfig
import Foundation
import Hummingbird
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`: what operators and clients look at first.
public struct OperationsRoutes: Sendable {
    public let instance: String
    public let directory: ProducerDirectory
    public let readiness: Readiness
    public let registry: PrometheusCollectorRegistry
    public let loop: SocketLoop
    public let ownStats: BusStats
    public let peers: [(name: String, endpoint: String)]
    public let openAPIDocument: Data

    /// How long `/metrics` waits for each service's counters.
    public static let statsTimeout: Duration = .milliseconds(500)

    public func register(on router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(.ok, ["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            let report = readiness.evaluate(directory.snapshot)
            return try JSONResponse.make(report.ready ? .ok : .serviceUnavailable, report)
        }
        router.get("/metrics") { _, _ in
            async let snapshots = collectStats()
            async let processes = collectMetrics()
            let text = PrometheusMerge.merge(await processes) + BusMetricsRenderer.render(await snapshots, instances: [instance] + peers.map(\.name))
            return JSONResponse.text(.ok, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
    }

    /// The gateway's own swift-metrics text plus that of every service that answers in time (`bus.metrics`).
    func collectMetrics() async -> [(service: String, text: String)] {
        await withTaskGroup(of: (String, String)?.self) { group in
            for peer in peers {
                group.addTask {
                    guard let frames = try? await loop.request(peer.endpoint, kind: BusRequestKind.metrics, timeout: Self.statsTimeout),
                          let first = frames.first
                    else { return nil }
                    return (peer.name, String(decoding: first, as: UTF8.self))
                }
            }
            var texts: [(service: String, text: String)] = []
            for await answer in group { if let answer { texts.append((answer.0, answer.1)) } }
            return [(instance, registry.emitToString())] + texts.sorted { $0.service < $1.service }
        }
    }

    /// The gateway's own counters plus those of every service that answers in time.
    func collectStats() async -> [BusStatsSnapshot] {
        await withTaskGroup(of: BusStatsSnapshot?.self) { group in
            for peer in peers {
                group.addTask {
                    guard let frames = try? await loop.request(peer.endpoint, kind: BusRequestKind.stats, timeout: Self.statsTimeout),
                          let first = frames.first
                    else { return nil }
                    return try? EventCodec.decoder.decode(BusStatsSnapshot.self, from: first)
                }
            }
            var snapshots = [ownStats.snapshot]
            for await snapshot in group { if let snapshot { snapshots.append(snapshot) } }
            return snapshots
        }
    }
}
