import ArgumentParser
import EcoConfig
import EcoRuntime
import Foundation
import GatewayService

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "HTTP in (REST, OpenAPI, health, metrics), bus commands and queries out.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var http: GatewayOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try options.resolve(instance: ServiceInstance(.gateway), environment: environment)
        let httpConfig = try http.resolve(environment: environment)
        try await ServiceMain.run(config: config, migrations: GatewayService.migrations) { runtime, registry in
            try await GatewayService.parts(runtime: runtime, config: httpConfig, registry: registry)
        }
    }
}
