import EcoBus
import EcoConfig
import Foundation
import GRDB
import Logging

/// Hands a peer's materials ledger to a worker that cannot rebuild its own from ingest's stream,
/// because ingest compacted the stream's start (docs/decisions/0014): a new worker, one whose store
/// was lost, or one restored from an old backup. Runs once at start, before the consumer.
public struct LedgerHandover: Sendable {
    let worker: Int
    let workers: Int
    let topology: BusTopology
    let loop: SocketLoop
    let database: DatabasePool
    let logger: Logger
    /// How long ingest and the peers are given to answer, each time (ingest is asked three times at most).
    var timeout: Duration = .seconds(2)

    public init(worker: Int, workers: Int, topology: BusTopology, loop: SocketLoop, database: DatabasePool, logger: Logger) {
        self.worker = worker
        self.workers = workers
        self.topology = topology
        self.loop = loop
        self.database = database
        self.logger = logger
    }

    /// The request handler: this worker's ledger snapshot.
    public var handlers: [String: RequestHandler] {
        let database = self.database
        return [LedgerSnapshot.requestKind: { _ in [try EventCodec.encoder.encode(try await database.read { try LedgerSnapshot.read($0) })] }]
    }

    /// Copies the most advanced peer's ledger when ingest no longer holds the events this worker's
    /// ledger still needs; otherwise leaves the ledger to the replay.
    public func run() async {
        let position: Int64
        do { position = try await database.read { try LedgerPosition.read($0) } } catch {
            logger.error("materials ledger position unreadable", metadata: ["error": "\(error)"])
            return
        }
        guard let compactedBelow = await ingestCompactedBelow(after: position), compactedBelow > position + 1 else { return }
        let snapshots = await peerSnapshots()
        guard let best = snapshots.max(by: { $0.snapshot.appliedThrough < $1.snapshot.appliedThrough }), best.snapshot.appliedThrough > position else {
            logger.warning("ingest's stream is compacted and no peer handed its materials ledger over: replaying what is left", metadata: [
                "materials.position": "\(position)", "bus.compacted_below": "\(compactedBelow)", "materials.peers_answering": "\(snapshots.count)",
            ])
            return
        }
        do {
            try await database.write { db in try best.snapshot.load(into: db) }
            logger.notice("materials ledger handed over by a peer", metadata: [
                "materials.peer": "\(best.peer)", "materials.position": "\(best.snapshot.appliedThrough)",
                "materials.listings": "\(best.snapshot.listings.count)", "materials.demands": "\(best.snapshot.demands.count)",
                "materials.proposals": "\(best.snapshot.proposals.count)",
            ])
        } catch {
            logger.error("materials ledger handover failed", metadata: ["materials.peer": "\(best.peer)", "error": "\(error)"])
        }
    }

    /// Ingest's `compactedBelow` (0 when nothing was compacted); nil when ingest did not answer after three tries.
    func ingestCompactedBelow(after position: Int64) async -> Int64? {
        let endpoint = topology.routerEndpoint(of: ServiceInstance(.ingest))
        for attempt in 1...3 {
            do {
                let request = try EventCodec.encoder.encode(ReplayRequest(from: position + 1, limit: 1))
                let frames = try await loop.request(endpoint, kind: BusRequestKind.replay, body: [request], timeout: timeout)
                guard let first = frames.first else { return nil }
                return try EventCodec.decoder.decode(ReplayReply.self, from: first).compactedBelow ?? 0
            } catch {
                if attempt == 3 {
                    logger.warning("ingest did not say how far its stream is compacted: the ledger is left to the replay", metadata: ["error": "\(error)"])
                }
            }
        }
        return nil
    }

    /// The snapshots of the peers that answered.
    func peerSnapshots() async -> [(peer: String, snapshot: LedgerSnapshot)] {
        let peers = (0..<max(workers, 1)).filter { $0 != worker }.map { ServiceInstance(.matcher, index: $0) }
        return await withTaskGroup(of: (String, LedgerSnapshot)?.self) { group in
            for peer in peers {
                group.addTask {
                    guard let frames = try? await loop.request(topology.routerEndpoint(of: peer), kind: LedgerSnapshot.requestKind, timeout: timeout),
                          let first = frames.first, let snapshot = try? EventCodec.decoder.decode(LedgerSnapshot.self, from: first)
                    else { return nil }
                    return (peer.name, snapshot)
                }
            }
            var answers: [(peer: String, snapshot: LedgerSnapshot)] = []
            for await answer in group { if let answer { answers.append((answer.0, answer.1)) } }
            return answers
        }
    }
}
