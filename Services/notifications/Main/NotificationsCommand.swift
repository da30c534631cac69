import ArgumentParser
import EcoConfig
import EcoRuntime
import NotificationsService

@main
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notifications", abstract: "Delivers notifications in-app, by email and by signed webhook.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.notifications))
        try await ServiceMain.run(config: config, migrations: NotificationsService.migrations) { runtime, _ in
            NotificationsService.parts(runtime: runtime)
        }
    }
}
