import ArgumentParser
import Logging
import ServiceLifecycle
import EcoConfig
import Foundation

/// `ecoresupply seed demo`: fills a running deployment with a demo territory.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Fill a running deployment with data.", subcommands: [SeedDemoCommand.self])
}

struct SeedDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Shops, lots, beneficiaries, reservations and pickups around the Vieux-Port of Marseille, through the public API.",
        discussion: "Needs the deployment's admin: --admin-email (or ECORESUPPLY_ADMIN_EMAIL) and ECORESUPPLY_ADMIN_PASSWORD.")

    @Option(name: .customLong("http-port"), help: "The gateway's HTTP port (default 8080).")
    var httpPort: Int = 8080

    @Option(name: .customLong("http-host"), help: "The gateway's address (default 127.0.0.1).")
    var httpHost: String = "127.0.0.1"

    @Option(name: .customLong("admin-email"), help: "The admin account (env ECORESUPPLY_ADMIN_EMAIL).")
    var adminEmail: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let email = adminEmail ?? environment["ECORESUPPLY_ADMIN_EMAIL"], let password = environment["ECORESUPPLY_ADMIN_PASSWORD"] else {
            throw ValidationError("set --admin-email (or ECORESUPPLY_ADMIN_EMAIL) and ECORESUPPLY_ADMIN_PASSWORD to the deployment's admin")
        }
        guard let base = URL(string: "http://\(httpHost):\(httpPort)") else { throw ValidationError("invalid --http-host") }
        let client = GatewayClient(base: base)
        try await client.awaitReady(timeout: .seconds(60))
        say("seeding the demo territory into http://\(httpHost):\(httpPort)")
        try await DemoSeeder(client: client, adminEmail: email, adminPassword: password, log: { say($0) }).run()
    }
}

/// Seeds the demo once the deployment `up` started is ready; a failure is logged, not fatal.
struct DemoSeedService: Service {
    let seeder: DemoSeeder
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await seeder.client.awaitReady(timeout: .seconds(120))
                say("seeding the demo territory")
                try await seeder.run()
            }
        } catch is CancellationError {
            return
        } catch {
            logger.error("demo seed failed", metadata: ["error": "\(error)"])
        }
    }
}
