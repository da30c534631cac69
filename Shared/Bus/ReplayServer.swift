import Foundation
import GRDB
import Logging

/// Answers `bus.replay` requests from the producer's own outbox.
public struct ReplayServer: Sendable {
    public let producer: String
    public let database: any DatabaseReader
    public let stats: BusStats?

    public init(producer: String, database: any DatabaseReader, stats: BusStats?) {
        self.producer = producer
        self.database = database
        self.stats = stats
    }

    /// Reply frames for a request body: `[ReplayReply, event…]`.
    public func answer(_ body: [Data]) async throws -> [Data] {
        guard let first = body.first, let request = try? EventCodec.decoder.decode(ReplayRequest.self, from: first) else {
            throw RemoteError(code: "bad_request", message: "body must be one JSON frame {\"from\": N, \"limit\"?: N, \"prefixes\"?: [..]}")
        }
        guard request.from >= 1 else { throw RemoteError(code: "bad_request", message: "from must be at least 1") }
        guard (request.partitions?.count ?? 0) <= ReplayRequest.maximumPartitions else {
            throw RemoteError(code: "bad_request", message: "partitions names at most \(ReplayRequest.maximumPartitions) parts")
        }
        let limit = min(max(request.limit ?? ReplayRequest.maximumLimit, 1), ReplayRequest.maximumLimit)
        let prefixes = request.prefixes ?? []
        do {
            let (rows, latest, compacted) = try await database.read { db in
                (try Outbox.rows(from: request.from, limit: limit, partitions: request.partitions, db), try Outbox.latestSequence(db), try OutboxCompaction.compactedBelow(db))
            }
            // A part's rows are sparse: a short page means everything up to the latest was scanned.
            let through = rows.count == limit ? rows[rows.count - 1].sequence : max(latest, request.from - 1)
            let matching = prefixes.isEmpty ? rows : rows.filter { row in prefixes.contains { row.topic.hasPrefix($0) } }
            stats?.recordReplayServed(matching.count)
            let reply = ReplayReply(
                latest: latest, through: through, producer: producer,
                compactedBelow: compacted > 0 ? compacted : nil)
            return [try EventCodec.encoder.encode(reply)] + matching.map(\.payload)
        } catch {
            throw RemoteError(code: "store_error", message: "\(error)")
        }
    }
}
