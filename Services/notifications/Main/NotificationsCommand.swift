import ArgumentParser
import EcoConfig
import EcoRuntime
import EcoTerritory
import Foundation
import NotificationsService

@main
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notifications", abstract: "Delivers notifications in-app, by email and by signed webhooks.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var email: NotificationsOptions
    @OptionGroup var territoryOptions: TerritoryOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try options.resolve(instance: ServiceInstance(.notifications), environment: environment)
        let smtp = try email.resolve(environment: environment)
        let webhooks = try email.webhooks(environment: environment)
        let territory = try territoryOptions.resolve(environment: environment)
        let secrets = try WebhookSecrets.load(keyFile: email.secretsKeyFile(environment: environment, dataDirectory: config.dataDirectory))
        try await ServiceMain.run(config: config, migrations: NotificationsService.migrations) { runtime, _ in
            try NotificationsService.parts(runtime: runtime, smtp: smtp, webhooks: webhooks, territory: territory, secrets: secrets)
        }
    }
}
