import Foundation
import GRDB
import Logging
import Metrics
import ServiceLifecycle

/// Runs a service's purge jobs every `interval` (an hour by default), each in its own transaction;
/// counts what each purged (`ecoresupply_retention_purged_total{job}`) and logs it.
public struct RetentionService: Service {
    let jobs: [any PurgeJob]
    let database: DatabasePool
    let interval: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(
        jobs: [any PurgeJob], database: DatabasePool, interval: Duration = .seconds(3600), clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.jobs = jobs
        self.database = database
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try await PeriodicService(name: "retention", interval: interval, logger: logger) { try await runOnce() }.run()
    }

    /// Runs every job once at the clock's time; returns what each purged.
    @discardableResult
    public func runOnce() async throws -> [String: Int] {
        var purged: [String: Int] = [:]
        let now = clock()
        for job in jobs {
            let count = try await database.write { db in try job.purge(now: now, in: db) }
            purged[job.name] = count
            if count > 0 {
                Counter(label: "ecoresupply_retention_purged_total", dimensions: [("job", job.name)]).increment(by: count)
                logger.info("retention purge", metadata: ["retention.job": "\(job.name)", "retention.rows": "\(count)"])
            }
        }
        return purged
    }
}
