import ArgumentParser
import EcoConfig
import EcoRuntime
import Foundation
import NotificationsService

@main
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notifications", abstract: "Delivers notifications in-app and by email.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var email: NotificationsOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try options.resolve(instance: ServiceInstance(.notifications), environment: environment)
        let smtp = try email.resolve(environment: environment)
        try await ServiceMain.run(config: config, migrations: NotificationsService.migrations) { runtime, _ in
            NotificationsService.parts(runtime: runtime, smtp: smtp)
        }
    }
}
