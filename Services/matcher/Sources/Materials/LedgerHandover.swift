import EcoBus
import EcoConfig
import Foundation
import GRDB
import Logging

/// Checks at start, before the consumer, that ingest still holds the materials events this worker's
/// ledger needs, and answers `materials.ledger-snapshot` for operators and tests.
///
/// Decision 0014 copied a peer's whole ledger when ingest had expired the stream's start. Since the
/// market is held in parts (docs/decisions/0016), no peer holds another worker's parts, so there is
/// nothing to copy: ingest keeps its materials stream, and a worker whose needed events are gone
/// (a store from an old backup, a deployment that expired the stream under decision 0014) says so.
public struct LedgerHandover: Sendable {
    let topology: BusTopology
    let loop: SocketLoop
    let database: DatabasePool
    let logger: Logger
    /// How long ingest is given to answer, each time (ingest is asked three times at most).
    var timeout: Duration = .seconds(2)

    public init(topology: BusTopology, loop: SocketLoop, database: DatabasePool, logger: Logger) {
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

    /// Logs an error when ingest no longer holds events this worker's ledger still needs.
    public func run() async {
        let position: Int64
        do { position = try await database.read { try LedgerPosition.read($0) } } catch {
            logger.error("materials ledger position unreadable", metadata: ["error": "\(error)"])
            return
        }
        guard let compactedBelow = await ingestCompactedBelow(after: position), compactedBelow > position + 1 else { return }
        logger.error("ingest's materials stream no longer holds events this worker's ledger needs: its market parts may be incomplete; restore its store from a backup (docs/operations.md)", metadata: [
            "materials.position": "\(position)", "bus.compacted_below": "\(compactedBelow)",
        ])
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
}
