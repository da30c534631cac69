import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Logging

/// Rebuilds parts by replaying ingest's materials stream, filtered to those parts (`partitions`)
/// and to the events of no part (ticks and licences).
public struct IngestPartRebuilder: PartRebuilding {
    let loop: SocketLoop
    let endpoint: String
    let logger: Logger
    /// How long ingest is given for each page.
    var timeout: Duration = .seconds(5)

    public init(loop: SocketLoop, topology: BusTopology, logger: Logger) {
        self.loop = loop
        self.endpoint = topology.routerEndpoint(of: ServiceInstance(.ingest))
        self.logger = logger
    }

    public func rebuild(parts: Set<String>, through: Int64) throws -> InMemoryLedgerStore {
        let result = BlockingResult<InMemoryLedgerStore>()
        let work = self
        Task { result.finish(await Result(catching: { try await work.replay(parts: parts, through: through) })) }
        return try result.wait().get()
    }

    func replay(parts: Set<String>, through: Int64) async throws -> InMemoryLedgerStore {
        let store = InMemoryLedgerStore()
        let partitions = parts.sorted()
        var from: Int64 = 1
        var events = 0
        while from <= through {
            let request = try EventCodec.encoder.encode(
                ReplayRequest(from: from, limit: ReplayRequest.maximumLimit, prefixes: MaterialsStream.topics, partitions: partitions))
            let frames: [Data]
            do {
                frames = try await loop.request(endpoint, kind: BusRequestKind.replay, body: [request], timeout: timeout)
            } catch {
                throw PartRebuildError(description: "ingest did not serve the parts' events from \(from): \(error)")
            }
            guard let first = frames.first, let reply = try? EventCodec.decoder.decode(ReplayReply.self, from: first) else {
                throw PartRebuildError(description: "ingest's replay reply is malformed")
            }
            if from == 1, let compacted = reply.compactedBelow, compacted > 1 {
                logger.error("ingest's stream is compacted: the parts taken over are rebuilt from what is left and may be incomplete", metadata: [
                    "bus.compacted_below": "\(compacted)", "materials.parts": "\(partitions.joined(separator: " "))",
                ])
            }
            for payload in frames.dropFirst() {
                guard case .event(let event) = InboundMessage.decodeEvent(payload, expectedType: nil),
                      let sequence = event.sequence, sequence <= through, let input = try MaterialsInput.decode(event) else { continue }
                _ = try MaterialLedger.apply(input, to: store)
                events += 1
            }
            guard reply.through >= from else { throw PartRebuildError(description: "ingest's replay made no progress at \(from)") }
            from = reply.through + 1
        }
        logger.info("market parts rebuilt from ingest's stream", metadata: [
            "materials.parts": "\(partitions.joined(separator: " "))", "materials.events": "\(events)", "bus.through": "\(through)",
        ])
        return store
    }
}
