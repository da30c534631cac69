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
        let keyFile = email.secretsKeyFile(environment: environment, dataDirectory: config.dataDirectory)
        let secrets = try WebhookSecrets.load(keyFile: keyFile)
        if keyFile.deletingLastPathComponent().standardizedFileURL == config.dataDirectory.standardizedFileURL {
            FileHandle.standardError.write(Data("notice: the webhook secrets key is in the data directory (\(keyFile.path)); give --secrets-key-file a path outside it, so that a backup of the stores does not carry the key\n".utf8))
        }
        try await ServiceMain.run(config: config, migrations: NotificationsService.migrations) { runtime, _ in
            try NotificationsService.parts(runtime: runtime, smtp: smtp, webhooks: webhooks, territory: territory, secrets: secrets)
        }
    }
}
