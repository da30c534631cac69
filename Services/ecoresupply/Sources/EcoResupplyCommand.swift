import ArgumentParser

/// The `ecoresupply` command line: runs a deployment locally, tails its events, checks and measures the bus.
public struct EcoResupplyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ecoresupply",
        abstract: "Run and operate an EcoResupply deployment.",
        subcommands: [UpCommand.self, TailCommand.self, SeedCommand.self, BusCommand.self, KeysCommand.self, LotsCommand.self, CodesCommand.self, BackupCommand.self, RestoreCommand.self, BenchCommand.self, ForwarderCommand.self]
    )

    public init() {}
}
