import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import GRDB
import Testing

/// Delivery guarantees of the bus, shown on real processes, real ZeroMQ sockets and real SQLite files.
@Suite("Bus delivery between real processes", .serialized)
struct BusDeliveryTests {
    let ingest = ServiceInstance(.ingest)
    let reporting = ServiceInstance(.reporting)

    @Test("an event published by one service is applied by another exactly once")
    func appliedExactlyOnce() async throws {
        let deployment = try await TestDeployment.make()
        try await deployment.startAnswering(ingest, reporting)

        let first = try await deployment.emit(from: ingest, count: 1)
        _ = try await deployment.awaitPings(at: reporting, run: first, count: 1)
        // A later event on the same stream arrives after any late copy of the first would have.
        let second = try await deployment.emit(from: ingest, count: 1)
        _ = try await deployment.awaitPings(at: reporting, run: second, count: 1)

        #expect(try await deployment.pings(at: reporting, run: first) == .init(count: 1, distinct: 1))
        let offset = try await deployment.database(of: reporting).read {
            try Int64.fetchOne($0, sql: "SELECT sequence FROM bus_offsets WHERE producer = 'ingest'")
        }
        #expect(offset == 2)
        let statuses = deployment.stopAll()
        #expect(statuses == ["forwarder": 0, "ingest": 0, "reporting": 0], "clean exit on SIGTERM")
    }

    @Test("a consumer killed with SIGKILL while 1,000 events are published applies all 1,000 exactly once after restart")
    func consumerKilledMidStream() async throws {
        let deployment = try await TestDeployment.make()
        try await deployment.startAnswering(ingest, reporting)

        let run = try await deployment.emit(from: ingest, count: 1000, batch: 10, rate: 400)
        _ = try await eventually("reporting to apply some of the stream") {
            try await deployment.pings(at: reporting, run: run).count >= 100 ? true : nil
        }
        try deployment.kill(reporting.name)
        let publishedAtKill = try await deployment.latestSequence(of: ingest)
        #expect(publishedAtKill < 1000, "the consumer died while the stream was still being published")

        _ = try await eventually("ingest to commit all 1,000 events") {
            try await deployment.latestSequence(of: ingest) == 1000 ? true : nil
        }
        try deployment.start(reporting)
        let result = try await deployment.awaitPings(at: reporting, run: run, count: 1000)
        #expect(result == .init(count: 1000, distinct: 1000))

        // Nothing applied twice, nothing missing, in the consumer's own file.
        let sequences = try await deployment.database(of: reporting).read {
            try Int64.fetchAll($0, sql: "SELECT sequence FROM diagnostic_pings WHERE run = ? ORDER BY sequence", arguments: [run])
        }
        #expect(sequences == Array(1...1000))
        _ = deployment.stopAll()
    }

    @Test("a consumer started after 1,000 events were published catches up on all of them")
    func lateConsumerCatchesUp() async throws {
        let deployment = try await TestDeployment.make()
        try await deployment.startAnswering(ingest)

        let run = try await deployment.emit(from: ingest, count: 1000)
        _ = try await eventually("ingest to commit all 1,000 events") {
            try await deployment.latestSequence(of: ingest) == 1000 ? true : nil
        }
        try deployment.start(reporting)
        let result = try await deployment.awaitPings(at: reporting, run: run, count: 1000)
        #expect(result == .init(count: 1000, distinct: 1000))
        let replayed = try await deployment.database(of: reporting).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT sequence) FROM diagnostic_pings WHERE producer = 'ingest'")
        }
        #expect(replayed == 1000)
        _ = deployment.stopAll()
    }

    @Test("a producer killed mid-stream and restarted continues its sequence with no gap and no reuse")
    func producerKilledMidStream() async throws {
        let deployment = try await TestDeployment.make()
        try await deployment.startAnswering(ingest, reporting)

        let interrupted = try await deployment.emit(from: ingest, count: 1000, batch: 10, rate: 400)
        _ = try await eventually("reporting to apply part of the stream") {
            try await deployment.pings(at: reporting, run: interrupted).count >= 100 ? true : nil
        }
        try deployment.kill(ingest.name)
        let committedBeforeKill = try await deployment.database(of: ingest).read {
            try Int64.fetchOne($0, sql: "SELECT MAX(sequence) FROM bus_outbox") ?? 0
        }
        #expect(committedBeforeKill < 1000, "the producer died before finishing")

        try deployment.start(ingest)
        try await deployment.awaitAnswering(ingest)
        let resumed = try await deployment.emit(from: ingest, count: 300)
        _ = try await deployment.awaitPings(at: reporting, run: resumed, count: 300)
        _ = try await deployment.awaitPings(at: reporting, run: interrupted, count: Int(committedBeforeKill))

        let outbox = try await deployment.database(of: ingest).read {
            try Int64.fetchAll($0, sql: "SELECT sequence FROM bus_outbox ORDER BY sequence")
        }
        #expect(outbox == Array(1...(committedBeforeKill + 300)), "the producer's sequence has no gap and no reuse")
        let applied = try await deployment.database(of: reporting).read {
            try Int64.fetchAll($0, sql: "SELECT sequence FROM diagnostic_pings WHERE producer = 'ingest' ORDER BY sequence")
        }
        #expect(applied == outbox, "the consumer applied every sequence once")
        let resumedSequences = try await deployment.database(of: reporting).read {
            try Int64.fetchAll($0, sql: "SELECT sequence FROM diagnostic_pings WHERE run = ? ORDER BY sequence", arguments: [resumed])
        }
        #expect(resumedSequences.first == committedBeforeKill + 1)
        _ = deployment.stopAll()
    }

    @Test("a service with events queued for an absent forwarder stops on SIGTERM, and its consumers get every event once the bus is back")
    func stopsWhileForwarderAway() async throws {
        let deployment = try await TestDeployment.make()
        try await deployment.startAnswering(ingest, reporting)
        let warmup = try await deployment.emit(from: ingest, count: 10)
        _ = try await deployment.awaitPings(at: reporting, run: warmup, count: 10)

        try deployment.kill("forwarder")
        // Far more than the link's high-water mark: the relay is left waiting to publish.
        let queued = try await deployment.emit(from: ingest, count: 20_000, batch: 500)
        _ = try await eventually("ingest to commit all 20,000 events") { () -> Bool? in
            let latest = try await deployment.database(of: ingest).read { try Int64.fetchOne($0, sql: "SELECT MAX(sequence) FROM bus_outbox") ?? 0 }
            return latest >= 20_010 ? true : nil
        }
        let process = try deployment.process(ingest.name)
        process.send(signal: SIGTERM)
        _ = try await eventually("ingest to stop on SIGTERM", timeout: .seconds(20)) { process.isRunning ? nil : true }
        #expect(process.process.terminationStatus == 0, "a clean stop: \(deployment.logs(ingest.name))")

        try deployment.startForwarder()
        try deployment.start(ingest)
        _ = try await deployment.awaitPings(at: reporting, run: queued, count: 20_000, timeout: .seconds(120))
        _ = deployment.stopAll()
    }
}
