import EcoConfig
import EcoModel
import Foundation
import GRDB

/// One configuration of the matcher benchmark: a forwarder, an ingest process serving a copy of the
/// market, and N matcher processes started together; timed until every worker has applied the tick.
struct MatcherBenchRun {
    let market: MatcherBenchMarket
    let workers: Int
    let directory: URL
    let basePort: Int

    struct Result {
        var seconds: Double
        var proposals: Int
        var proposedKg: Double
        /// Each worker's CPU seconds (user + system) when it had applied the tick.
        var cpuSeconds: [Double]
    }

    func drain() async throws -> Result {
        let data = directory.appendingPathComponent("data", isDirectory: true)
        let target = try market.copy(to: data, workers: workers)
        let binaries = try ExecutableLocator.directory()
        let common = ["--data-dir", data.path, "--bus-port", "\(basePort)", "--matchers", "\(workers)", "--log-level", "error"]
        var processes: [Process] = []
        defer { Self.stop(processes) }
        func launch(_ executable: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = binaries.appendingPathComponent(executable)
            process.arguments = arguments
            let log = directory.appendingPathComponent("\(executable)-\(processes.count).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            processes.append(process)
        }
        try launch("ecoresupply", ["forwarder", "--bus-port", "\(basePort)", "--log-level", "error"])
        // A tick an hour apart: the benchmark's own tick is the only round.
        try launch("ingest", common + ["--matching-tick", "3600", "--market-cell-degrees", "\(market.grid.cellDegrees)"])
        let start = ContinuousClock.now
        for worker in 0..<workers { try launch("matcher", common + ["--worker", "\(worker)"]) }

        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        var proposals = 0, proposedKg = 0.0
        var cpu: [Double] = []
        for worker in 0..<workers {
            let path = data.appendingPathComponent(ServiceInstance(.matcher, index: worker).name + ".sqlite").path
            while true {
                if let process = processes.dropFirst(2).dropFirst(worker).first, !process.isRunning {
                    throw BenchError.exited("matcher-\(worker)", directory.path)
                }
                if let applied = Self.applied(path, configuration), applied >= target {
                    cpu.append(ProcessCPU.seconds(of: processes[2 + worker].processIdentifier) ?? .nan)
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
                guard start.duration(to: .now) < .seconds(3600) else { throw BenchError.timeout("matcher-\(worker) did not finish within an hour") }
            }
        }
        let elapsed = start.duration(to: .now).seconds
        for worker in 0..<workers {
            let path = data.appendingPathComponent(ServiceInstance(.matcher, index: worker).name + ".sqlite").path
            let announced = try Self.announced(path, configuration)
            proposals += announced.count
            proposedKg += announced.kg
        }
        return Result(seconds: elapsed, proposals: proposals, proposedKg: proposedKg, cpuSeconds: cpu)
    }

    /// How far in ingest's stream the worker whose store is at `path` is (nil until it has a store).
    static func applied(_ path: String, _ configuration: Configuration) -> Int64? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? DatabaseQueue(path: path, configuration: configuration).read { db in
            try Int64.fetchOne(db, sql: "SELECT sequence FROM bus_offsets WHERE producer = 'ingest'")
        }
    }

    /// The proposals the worker announced, and their kilograms.
    static func announced(_ path: String, _ configuration: Configuration) throws -> (count: Int, kg: Double) {
        try DatabaseQueue(path: path, configuration: configuration).read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*), TOTAL(json_extract(payload, '$.data.proposal.quantityKg')) FROM bus_outbox WHERE topic = ?",
                arguments: [ProposalChanged.createdTopic])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Stops the processes, workers first and the forwarder last: SIGTERM, then SIGKILL for any still
    /// running after 10 s (the figures are taken by then; a slow shutdown must not hang the benchmark).
    static func stop(_ processes: [Process]) {
        for process in processes.reversed() where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        while processes.contains(where: \.isRunning), Date() < deadline { usleep(50_000) }
        for process in processes where process.isRunning {
            print("  note: \(process.executableURL?.lastPathComponent ?? "a process") did not stop within 10 s of SIGTERM; killed")
            kill(process.processIdentifier, SIGKILL)
        }
        for process in processes { process.waitUntilExit() }
    }
}
