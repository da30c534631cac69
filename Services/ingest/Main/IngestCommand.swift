import ArgumentParser
import EcoConfig
import EcoRuntime
import IngestService

@main
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Validates and stores listings, demands and reports; publishes them on the bus.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.ingest))
        try await ServiceMain.run(config: config, migrations: IngestService.migrations) { runtime, _ in
            IngestService.parts(runtime: runtime)
        }
    }
}
