import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB
import Logging

/// Ingest's clock for the matcher workers: a `matching.tick` every `tickSeconds`, in ingest's
/// own stream, so every matcher worker runs its rounds, expiries and shares at the same points
/// of the same stream. A tick is skipped while no food lot, listing or demand was ever published.
/// Each tick names the workers alive (`membership`), which hold the market's parts and the food
/// lots from that tick on (docs/decisions/0016, 0017); while no membership can be named, there is no tick.
public struct MatchingClock: Sendable {
    let database: DatabasePool
    let outbox: Outbox
    let policy: MatchingPolicy
    let matchers: Int
    let membership: @Sendable () -> [Int]?

    public init(database: DatabasePool, outbox: Outbox, policy: MatchingPolicy, matchers: Int, membership: @escaping @Sendable () -> [Int]?) {
        self.database = database
        self.outbox = outbox
        self.policy = policy
        self.matchers = matchers
        self.membership = membership
    }

    public func tick(at now: Date = Date()) async throws {
        guard let members = membership() else { return }
        let tick = MatchingTick(
            at: now, matchers: matchers, members: members, proposalTimeoutSeconds: policy.proposalTimeoutSeconds,
            shareAfterSeconds: policy.shareAfterSeconds)
        let outbox = self.outbox
        try await database.write { db in
            let anything = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM listings) OR EXISTS (SELECT 1 FROM demands) OR EXISTS (SELECT 1 FROM lots)") ?? false
            guard anything else { return }
            try outbox.append(MatchingTick.topic, tick, in: db)
        }
    }

    public func service(logger: Logger) -> PeriodicService {
        PeriodicService(name: "matching clock", interval: .milliseconds(Int(policy.tickSeconds * 1000)), logger: logger) { try await tick() }
    }
}
