import ArgumentParser
import EcoConfig
import EcoRuntime
import ReportingService

@main
struct ReportingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reporting", abstract: "Impact ledger, KPIs, certificates and open statistics.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.reporting))
        try await ServiceMain.run(config: config, migrations: ReportingService.migrations) { runtime, _ in
            ReportingService.parts(runtime: runtime)
        }
    }
}
