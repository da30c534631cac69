import EcoBus
import EcoConfig
import EcoModel
import Foundation
@testable import GatewayService
import GRDB
import Hummingbird
import Logging
import Synchronization
import Testing

/// The gateway sends a food lot's commands to the worker that holds it (docs/decisions/0017): the
/// holder among the latest tick's members, and the holder a worker names when it no longer has the lot.
@Suite("Routing a food lot's commands to its holder", .timeLimit(.minutes(1)))
struct LotRoutingTests {
    static let logger = Logger(label: "gateway-tests.lot-routing")

    @Test("the holder among the configured workers until a tick names the members, then among them")
    func directory() throws {
        let directory = LotHolderDirectory(configured: 3)
        let lots = (0..<60).map { "lot-\($0)" }
        #expect(lots.map { directory.holder(of: $0).index } == lots.map { LotOwnership.worker(for: $0, workers: 3) })
        #expect(Set(lots.map { directory.holder(of: $0).index }) == [0, 1, 2])
        let projection = LotHolderProjection(directory: directory)
        let tick = MatchingTick(at: Date(), matchers: 3, members: [0, 2], proposalTimeoutSeconds: 60, shareAfterSeconds: 60)
        let payload = try CloudEventWriter.encode(CloudEvent(source: "ingest", type: MatchingTick.topic, time: Date(), sequence: 1, data: tick))
        let event = ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: payload), payload: payload)
        try DatabaseQueue().write { db in try projection.apply(event, in: db) }
        #expect(lots.map { directory.holder(of: $0).index } == lots.map { LotHolders.holder(of: $0, members: [0, 2]) })
        #expect(directory.workers == [0, 2])
    }

    @Test("a lot on its way to a worker is a 503 with Retry-After, not a 502")
    func moving() {
        let error = ServiceCaller.translate(.remote(.moving("lot L is on its way to this worker")), instance: ServiceInstance(.matcher, index: 1))
        #expect(error.status == .serviceUnavailable && error.body.code == "unavailable")
        #expect(error.headers[.retryAfter] == "1")
    }

    @Test("a worker that no longer holds the lot names its holder, which is asked once")
    func redirect() async throws {
        let lot = (0..<100).map { "lot-\($0)" }.first { LotOwnership.worker(for: $0, workers: 2) == 0 }!
        let asked = AskedWorkers()
        func worker(_ index: Int, answer: @escaping @Sendable () throws -> [Data]) -> [String: RequestHandler] {
            [ReservationRequests.get: { _ in asked.add(index); return try answer() }]
        }
        let holderSays = try EventCodec.encoder.encode(["answer": "from matcher-1"])
        // Workers 0 and 1 on the ports of a random bus port (another one if those are taken).
        var bound: (BusTopology, [(SocketLoop, Task<Void, Never>)])?
        for _ in 0..<20 where bound == nil {
            // Above the integration tests' blocks (PortBlock: below 32,000) and below the ephemeral range.
            let topology = BusTopology(busPort: Int.random(in: 32_100...32_600))
            guard let first = try? await Self.serve(
                worker(0) { throw RemoteError.heldElsewhere("lot \(lot) is held by another worker", by: "matcher-1") },
                at: topology.routerEndpoint(of: ServiceInstance(.matcher, index: 0))) else { continue }
            guard let second = try? await Self.serve(worker(1) { [holderSays] }, at: topology.routerEndpoint(of: ServiceInstance(.matcher, index: 1))) else {
                first.0.stop()
                continue
            }
            bound = (topology, [first, second])
        }
        let (topology, loops) = try #require(bound, "no free ports for two workers")
        let client = SocketLoop(endpoints: SocketLoopEndpoints(), sink: nil, logger: Self.logger)
        try await client.start()
        defer { client.stop(); for (loop, _) in loops { loop.stop() } }
        let caller = ServiceCaller(loop: client, topology: topology, timeout: .seconds(5))
        let reply = try await caller.call(
            lot: lot, holders: LotHolderDirectory(configured: 2), ReservationRequests.get, ReservationRequests.Get(reservationId: "r"),
            as: [String: String].self)
        #expect(reply == ["answer": "from matcher-1"])
        #expect(asked.all == [0, 1])
    }

    /// A loop whose ROUTER at `endpoint` answers with `handlers`.
    static func serve(_ handlers: [String: RequestHandler], at endpoint: String) async throws -> (SocketLoop, Task<Void, Never>) {
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(routerBind: endpoint), sink: nil, logger: logger)
        try await loop.start()
        let router = RequestRouter(handlers: handlers, logger: logger)
        return (loop, Task { await router.serve(loop) })
    }
}

/// The workers asked, in order.
final class AskedWorkers: Sendable {
    private let asked = Mutex<[Int]>([])
    func add(_ index: Int) { asked.withLock { $0.append(index) } }
    var all: [Int] { asked.withLock { $0 } }
}
