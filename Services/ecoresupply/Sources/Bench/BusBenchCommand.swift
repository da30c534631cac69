import ArgumentParser
import EcoBus
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply bench bus`: durable events per second and latency at a fixed rate, printed beside
/// raw libzmq PUB/SUB throughput for the same message size, all measured in the same run.
struct BusBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Bus throughput and latency beside raw libzmq (build with -c release).")

    @Option(help: "Events for the throughput runs.")
    var events: Int = 200_000

    @Option(help: "Bytes of data per event.")
    var size: Int = 256

    @Option(help: "Events per producer transaction in the throughput run.")
    var batch: Int = 100

    @Option(help: "Events per second for the latency run.")
    var rate: Int = 5_000

    @Option(help: "Seconds the latency run lasts.")
    var seconds: Int = 10

    @Option(name: .customLong("base-port"), help: "First of three free loopback ports the benchmark uses.")
    var basePort: Int = 27_700

    @Flag(help: "synchronous=FULL (fsync on each commit) instead of NORMAL.")
    var fullSync = false

    func validate() throws {
        guard (1_000...5_000_000).contains(events) else { throw ValidationError("--events must be between 1000 and 5000000") }
        guard (0...65_536).contains(size) else { throw ValidationError("--size must be between 0 and 65536") }
        guard (1...1000).contains(batch) else { throw ValidationError("--batch must be between 1 and 1000") }
        guard (1...100_000).contains(rate) else { throw ValidationError("--rate must be between 1 and 100000") }
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be between 1 and 600") }
        guard (1024...65_000).contains(basePort) else { throw ValidationError("--base-port must be between 1024 and 65000") }
    }

    func run() async throws {
        var logger = Logger(label: "ecoresupply.bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ecoresupply-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let payload = Data(String(repeating: "x", count: size).utf8)
        #if DEBUG
        print("warning: this is a debug build; run `swift build -c release` and .build/release/ecoresupply for real figures")
        #endif
        print("ecoresupply bench bus: \(size) B of data per event, \(ProcessInfo.processInfo.activeProcessorCount) cores, synchronous=\(fullSync ? "FULL" : "NORMAL")")

        // Baselines: raw libzmq, same topic and a CloudEvent-sized frame, without and with CURVE.
        let sampleEvent = try EventCodec.encoder.encode(CloudEvent(source: "bench-producer", type: "bench.event", sequence: 1, data: ["body": String(decoding: payload, as: UTF8.self)]))
        let keys = try BenchCurve.make()
        let raw = try RawZMQBaseline.throughput(port: basePort + 10, messages: events, topic: Data("bench.event".utf8), payload: sampleEvent)
        print(String(format: "  baseline  raw libzmq PUB/SUB, %d B frames, %d msgs        %12.0f msg/s", sampleEvent.count, events, raw))
        // The CURVE runs need the process's ZAP handler; the plain ones run without it, as a keyless deployment does.
        let zap = keys.authenticator(logger: logger)
        try zap.start()
        let rawCurve = try RawZMQBaseline.throughput(port: basePort + 11, messages: events, topic: Data("bench.event".utf8), payload: sampleEvent, curve: keys)
        print(String(format: "  baseline  raw libzmq PUB/SUB with CURVE                        %12.0f msg/s  (%.1f%% of raw)", rawCurve, rawCurve / raw * 100))

        zap.stop()
        let benchmark = BusBenchmark(directory: directory, basePort: basePort, fullSync: fullSync, logger: logger)
        var durable: [Bool: Double] = [:], p99s: [Bool: Double] = [:]
        for curve in [false, true] {
            let label = curve ? "CURVE" : "plain"
            if curve { try zap.start() }
            defer { if curve { zap.stop() } }
            let result = try await measure(benchmark, payload: payload, curve: curve ? keys : nil)
            durable[curve] = result.durable
            p99s[curve] = result.p99
            print(String(format: "  durable   %@: outbox commit → consumer apply, batch %d, %d events %12.0f events/s  (%.1f%% of raw%@)",
                         label, batch, events, result.durable, result.durable / (curve ? rawCurve : raw) * 100, curve ? " with CURVE" : ""))
            print(String(format: "  latency   %@: commit → apply at %d events/s for %d s       p50 %.2f ms  p99 %.2f ms  max %.2f ms",
                         label, rate, seconds, result.p50, result.p99, result.max))
        }
        let plainRate = durable[false] ?? 0, curveRate = durable[true] ?? 0
        print(String(format: "  CURVE     costs %.1f%% of the durable rate and %.2f ms of p99", (1 - curveRate / max(plainRate, 1)) * 100, (p99s[true] ?? 0) - (p99s[false] ?? 0)))
        print("  targets   ≥ 20000 durable events/s: \(plainRate >= 20_000 ? "met" : "NOT met") (with CURVE: \(curveRate >= 20_000 ? "met" : "NOT met"));  p99 ≤ 10 ms at 5000/s: \(rate == 5000 ? ((p99s[false] ?? 99) <= 10 ? "met" : "NOT met") : "n/a (rate ≠ 5000)")")
    }

    /// The durable throughput and the latency at a fixed rate, on plain links or with CURVE.
    func measure(_ benchmark: BusBenchmark, payload: Data, curve: BenchCurve?) async throws -> (durable: Double, p50: Double, p99: Double, max: Double) {
        let suffix = curve == nil ? "" : "-curve"
        let pipeline = try await benchmark.start(name: "throughput\(suffix)", capacity: events + 1, curve: curve)
        let start = ContinuousClock.now
        var committed = 0
        while committed < events {
            let count = min(batch, events - committed)
            try await benchmark.commit(pipeline, count: count, payload: payload)
            committed += count
        }
        try await benchmark.waitApplied(pipeline, count: events + 1, timeout: .seconds(600))
        let elapsed = start.duration(to: pipeline.samples.lastApplied ?? .now)
        pipeline.stop()
        // Latency at a fixed rate: every millisecond, commit the events that are due.
        let total = rate * seconds
        let latencyPipeline = try await benchmark.start(name: "latency\(suffix)", capacity: total + 1, curve: curve)
        let latencyStart = ContinuousClock.now
        var sent = 0
        var tick = 1
        while sent < total {
            let due = min(total, Int((Double(rate) * Double(tick) / 1000).rounded(.down)))
            if due > sent {
                try await benchmark.commit(latencyPipeline, count: due - sent, payload: payload)
                sent = due
            }
            try await Task.sleep(until: latencyStart + .milliseconds(tick))
            tick += 1
        }
        try await benchmark.waitApplied(latencyPipeline, count: total + 1, timeout: .seconds(120))
        let samples = latencyPipeline.samples
        latencyPipeline.stop()
        return (Double(events) / elapsed.seconds, samples.percentile(0.5), samples.percentile(0.99), samples.percentile(1))
    }
}
