import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging

/// Ingest's side of `ecoresupply lots release --worker N` (docs/decisions/0017 step 3): an operator
/// declares a matcher worker lost for good. Ingest refuses while the worker is heard or is a member
/// of the latest tick (its lots would then be handed over by it, with nothing lost), and otherwise
/// appends `lot.worker-released` after that tick, so every worker applies the release at the same
/// point of ingest's stream.
public struct LotWorkerRelease: Sendable {
    let database: DatabasePool
    let outbox: Outbox
    /// The workers heard now; nil while ingest cannot say yet (just after it started).
    let heard: @Sendable () -> [Int]?
    let logger: Logger

    /// The highest worker number a release may name (as many as a deployment may run).
    static let maximumWorker = 255

    public init(database: DatabasePool, outbox: Outbox, heard: @escaping @Sendable () -> [Int]?, logger: Logger) {
        self.database = database
        self.outbox = outbox
        self.heard = heard
        self.logger = logger
    }

    public var handlers: [String: RequestHandler] {
        [
            LotReleaseRequests.release: { body in
                let request = try RemoteError.decodeRequest(LotReleaseRequests.Release.self, body)
                return [try EventCodec.encoder.encode(try await release(request.worker))]
            },
        ]
    }

    /// Appends the release of `worker`, or refuses it with the reason an operator can act on.
    public func release(_ worker: Int, now: Date = Date()) async throws -> LotReleaseRequests.Released {
        guard (0...Self.maximumWorker).contains(worker) else {
            throw RemoteError.invalid("worker", "worker must be from 0 to \(Self.maximumWorker)")
        }
        guard let heard = heard() else {
            throw RemoteError.conflict("ingest has just started and has not heard every worker yet; try again in a few seconds")
        }
        guard !heard.contains(worker) else {
            throw RemoteError.conflict("matcher-\(worker) is alive (heard in the last heartbeats): stop it first; a live worker hands its lots over itself")
        }
        let outbox = self.outbox
        let released = try await database.write { db -> LotReleaseRequests.Released in
            guard let tick = try Self.latestTick(db) else {
                throw RemoteError.conflict("no tick has named the members yet: start at least one worker and wait for a tick")
            }
            guard !tick.holders.contains(worker) else {
                throw RemoteError.conflict(
                    "matcher-\(worker) is a member of the latest tick (\(tick.holders.map(String.init).joined(separator: ","))): wait for a tick without it")
            }
            let release = LotWorkerReleased(worker: worker, members: tick.holders, releasedAt: now)
            let sequence = try outbox.append(LotWorkerReleased.topic, release, in: db)
            return LotReleaseRequests.Released(release: release, sequence: sequence)
        }
        logger.notice("a matcher worker was released: its lots are rebuilt from what it relayed", metadata: [
            "lots.worker": "\(worker)", "lots.members": "\(released.release.members.map(String.init).joined(separator: ","))",
            "bus.sequence": "\(released.sequence)",
        ])
        return released
    }

    /// The latest `matching.tick` in ingest's stream.
    static func latestTick(_ db: Database) throws -> MatchingTick? {
        guard let payload = try Data.fetchOne(
            db, sql: "SELECT payload FROM bus_outbox WHERE topic = ? ORDER BY sequence DESC LIMIT 1", arguments: [MatchingTick.topic])
        else { return nil }
        return try EventCodec.decoder.decode(CloudEvent<MatchingTick>.self, from: payload).data
    }
}
