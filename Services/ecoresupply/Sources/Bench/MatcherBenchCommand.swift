import ArgumentParser
import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import GRDB
import IngestService
import MatcherService

/// `ecoresupply bench matcher`: how long real matcher processes take to drain a market of listings
/// and demands, with 1, 2 and 4 workers side by side, beside the same stream run through one
/// in-memory ledger in this process (no bus, no SQLite) as the baseline.
struct MatcherBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matcher",
        abstract: "Matcher drain time and matches per second for 1, 2 and 4 workers (build with -c release).")

    @Option(help: "Listings in the market.")
    var listings: Int = 100_000

    @Option(help: "Demands in the market.")
    var demands: Int = 100_000

    @Option(help: "Worker counts to compare, comma-separated.")
    var workers: String = "1,2,4"

    @Option(help: "Seed of the synthetic market.")
    var seed: UInt64 = 2026

    @Option(name: .customLong("base-port"), help: "First of a block of free loopback ports (8 + the largest worker count).")
    var basePort: Int = 27_800

    @Option(name: .customLong("market-cell-degrees"), help: "Side in degrees of the market's cells, as ingest's flag of that name (default 0.5).")
    var marketCellDegrees: Double = MarketGrid.standard.cellDegrees

    func validate() throws {
        guard (100...1_000_000).contains(listings), (100...1_000_000).contains(demands) else {
            throw ValidationError("--listings and --demands must be between 100 and 1000000")
        }
        guard !workerCounts.isEmpty, workerCounts.allSatisfy({ (1...16).contains($0) }) else {
            throw ValidationError("--workers must list counts from 1 to 16, e.g. 1,2,4")
        }
        guard (1024...60_000).contains(basePort) else { throw ValidationError("--base-port must be between 1024 and 60000") }
        guard MarketGrid(cellDegrees: marketCellDegrees) != nil else {
            throw ValidationError("--market-cell-degrees must be from \(MarketGrid.cellRange.lowerBound) to \(MarketGrid.cellRange.upperBound)")
        }
    }

    var workerCounts: [Int] { workers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        #if DEBUG
        print("warning: this is a debug build; run `swift build -c release` and .build/release/ecoresupply for real figures")
        #endif
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ecoresupply-bench-matcher-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let grid = MarketGrid(cellDegrees: marketCellDegrees) ?? .standard
        print("ecoresupply bench matcher: \(listings) listings, \(demands) demands (seed \(seed)), cells of \(grid.cellDegrees)°, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores")

        let preparation = ContinuousClock.now
        let market = try await MatcherBenchMarket.build(
            at: directory.appendingPathComponent("market", isDirectory: true), seed: seed, listings: listings, demands: demands, grid: grid)
        print(String(format: "  market    published through ingest's own stores in %.1f s (%d events)", preparation.duration(to: .now).seconds, market.events))

        // Baseline: the same stream through one in-memory ledger, in this process.
        let baseline = try market.inMemoryRun()
        let baselineSeconds = baseline.applySeconds + baseline.roundSeconds
        print(String(format: "  baseline  one in-memory ledger in this process, no bus, no SQLite: %.2f s (apply %.2f s + round %.2f s)   %8d matches   %10.0f matches/s",
                     baselineSeconds, baseline.applySeconds, baseline.roundSeconds, baseline.proposals, Double(baseline.proposals) / baselineSeconds))
        print(String(format: "  matched   %.0f kg part by part; one pass over the whole market would match %.0f kg (%+.2f%%)",
                     baseline.proposedKg, baseline.wholeMarketKg, (baseline.proposedKg - baseline.wholeMarketKg) / baseline.wholeMarketKg * 100))
        let withSeams = baseline.proposedKg + baseline.seamStageKg
        print(String(format: "            a second stage on the grid shifted by half a cell (not built) would add %.0f kg: %.0f kg (%+.2f%%)",
                     baseline.seamStageKg, withSeams, (withSeams - baseline.wholeMarketKg) / baseline.wholeMarketKg * 100))

        var single: MatcherBenchRun.Result?
        for count in workerCounts {
            let run = try await MatcherBenchRun(market: market, workers: count, directory: directory.appendingPathComponent("run-\(count)"), basePort: basePort)
            let result = try await run.drain()
            let same = result.proposals == baseline.proposals && abs(result.proposedKg - baseline.proposedKg) < 0.5
            if count == 1 { single = result }
            let cpu = result.cpuSeconds.map { String(format: "%.1f", $0) }.joined(separator: " ")
            let perWorker = result.cpuSeconds.max() ?? .nan
            var line = String(format: "  workers %d  drain %8.2f s (%.2f× baseline)   %8d matches   %8.0f matches/s   CPU s per worker: ",
                              count, result.seconds, result.seconds / baselineSeconds, result.proposals, Double(result.proposals) / result.seconds) + cpu
            if let single, count > 1, let one = single.cpuSeconds.first {
                line += String(format: "   (busiest %.2f× of 1 worker; drain %.2f× of 1 worker)", perWorker / one, result.seconds / single.seconds)
            }
            print(line + (same ? "" : "   DIFFERENT RESULT"))
        }
    }
}
