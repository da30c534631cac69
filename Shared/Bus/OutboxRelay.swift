import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Publishes a producer's outbox in sequence order, and a heartbeat with its latest sequence every
/// `heartbeatInterval`. Events that were committed but not published before a crash are not sent
/// again live: the heartbeat shows consumers they are behind, and they fetch them by replay.
public final class OutboxRelay: Service, Sendable {
    public static let batchSize = 1000

    private let database: any DatabaseReader
    private let loop: SocketLoop
    private let producer: String
    private let heartbeat: @Sendable (Int64) -> Heartbeat
    private let heartbeatInterval: Duration
    private let stats: BusStats
    private let logger: Logger
    private let wake = WakeSignal()

    public init(
        database: any DatabaseReader,
        loop: SocketLoop,
        producer: String,
        service: String,
        replayEndpoint: String,
        heartbeatInterval: Duration = .seconds(1),
        stats: BusStats,
        logger: Logger
    ) {
        self.database = database
        self.loop = loop
        self.producer = producer
        self.heartbeat = { Heartbeat(latest: $0, replay: replayEndpoint, service: service) }
        self.heartbeatInterval = heartbeatInterval
        self.stats = stats
        self.logger = logger
    }

    /// Tells the relay that new events were committed (wired to the outbox's commit hook).
    public func signal() { wake.signal() }

    public func run() async throws {
        let initial = try await database.read { try Outbox.latestSequence($0) }
        logger.info("outbox relay started", metadata: ["bus.producer": "\(producer)", "bus.sequence": "\(initial)"])
        let final = await cancelWhenGracefulShutdown { [self] in
            var cursor = initial
            var nextHeartbeat = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    cursor = try await publishPending(after: cursor)
                } catch is CancellationError {
                    break  // shutting down: the read was cut short, nothing failed
                } catch {
                    logger.error("outbox relay read failed", metadata: ["error": "\(error)"])
                }
                if ContinuousClock.now >= nextHeartbeat {
                    await publishHeartbeat(latest: cursor)
                    nextHeartbeat = ContinuousClock.now + heartbeatInterval
                }
                await wake.wait(upTo: ContinuousClock.now.duration(to: nextHeartbeat))
            }
            return cursor
        }
        logger.info("outbox relay stopped", metadata: ["bus.producer": "\(producer)", "bus.sequence": "\(final)"])
    }

    private func publishPending(after cursor: Int64) async throws -> Int64 {
        var cursor = cursor
        // At shutdown the loop stops here: what is left stays in the outbox, for replay.
        while !Task.isCancelled {
            let rows = try await database.read { [cursor] db in try Outbox.rows(from: cursor + 1, limit: Self.batchSize, db) }
            guard let last = rows.last else { return cursor }
            await loop.publish(rows.map { [Data($0.topic.utf8), $0.payload] })
            guard !Task.isCancelled else { return cursor }
            stats.recordPublished(rows.count)
            cursor = last.sequence
            if rows.count < Self.batchSize { return cursor }
        }
        return cursor
    }

    private func publishHeartbeat(latest: Int64) async {
        let event = CloudEvent(source: producer, type: Topic.heartbeat, sequence: nil, data: heartbeat(latest))
        guard let payload = try? EventCodec.encoder.encode(event) else { return }
        await loop.publish([[Data(Topic.heartbeat.utf8), payload]])
    }
}
