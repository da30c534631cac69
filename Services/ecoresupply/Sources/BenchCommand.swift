import ArgumentParser

/// `ecoresupply bench …`: benchmarks, to be run from a release build.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (build with -c release first).", subcommands: [BusBenchCommand.self, MatcherBenchCommand.self, HTTPBenchCommand.self])
}
