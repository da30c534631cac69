import ArgumentParser
import EcoConfig
import EcoRuntime
import EcoTerritory
import Foundation
import IngestService

@main
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Validates and stores listings, demands and reports; publishes them on the bus.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var matching: MatchingOptions
    @OptionGroup var territoryOptions: TerritoryOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try options.resolve(instance: ServiceInstance(.ingest), environment: environment)
        let policy = try matching.resolve(environment: environment)
        let territory = try territoryOptions.resolve(environment: environment)
        try await ServiceMain.run(config: config, migrations: IngestService.migrations) { runtime, _ in
            try await InstalledMarketGrid.confirm(policy.grid, in: runtime.database)
            return IngestService.parts(runtime: runtime, matching: policy, territory: territory)
        }
    }
}
