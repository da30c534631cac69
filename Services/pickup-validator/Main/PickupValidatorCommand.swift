import ArgumentParser
import EcoConfig
import EcoRuntime
import PickupValidatorService

@main
struct PickupValidatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pickup-validator", abstract: "Issues and checks pickup codes and beneficiary quotas.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.pickupValidator))
        try await ServiceMain.run(config: config, migrations: PickupValidatorService.migrations) { runtime, _ in
            try PickupValidatorService.parts(runtime: runtime)
        }
    }
}
