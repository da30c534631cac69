import ArgumentParser
import EcoConfig
import EcoRuntime
import MatcherService

@main
struct MatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "matcher", abstract: "A matcher worker: allocates surplus to claims and demands.")

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("worker"), help: "This worker's number, from 0 to --matchers minus 1 (default 0).")
    var worker: Int = 0

    func validate() throws {
        guard worker >= 0 else { throw ValidationError("--worker must be 0 or more") }
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.matcher, index: worker))
        try await ServiceMain.run(config: config, migrations: MatcherService.migrations) { runtime, _ in
            MatcherService.parts(runtime: runtime)
        }
    }
}
