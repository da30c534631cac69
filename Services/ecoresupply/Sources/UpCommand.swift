import ArgumentParser
import EcoBus
import EcoConfig
import EcoObservability
import Foundation
import Logging
import ServiceLifecycle

/// `ecoresupply up`: the whole system on this machine, each service its own OS process.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the forwarder and every service as separate processes; restart any that dies; Ctrl-C stops all.")

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("http-port"), help: "Gateway HTTP port (env ECORESUPPLY_HTTP_PORT, default 8080).")
    var httpPort: Int?

    @Option(name: .customLong("http-host"), help: "Gateway HTTP address (env ECORESUPPLY_HTTP_HOST, default 127.0.0.1).")
    var httpHost: String?

    @Flag(name: .customLong("seed-demo"), help: "Once the system is ready, fill it with the demo territory (ecoresupply seed demo).")
    var seedDemo = false

    /// The admin the demo uses when none is configured.
    static let demoAdmin = (email: "admin@demo.ecoresupply.local", password: "demo-admin-2026")

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let keys = try Self.makeBusKeys(options, environment: environment)
        let config = try options.resolve(instance: ServiceInstance(.gateway), environment: environment)
        let settings = EnvironmentSettings(environment)
        let port = try httpPort ?? settings.int("HTTP_PORT") ?? 8080
        guard (1...65_535).contains(port) else { throw ValidationError("--http-port must be between 1 and 65535") }
        let host = httpHost ?? settings.string("HTTP_HOST") ?? "127.0.0.1"

        Observability.bootstrap(level: Observability.level(config.logLevel), metadata: TraceContext.loggingMetadata)
        let logger = Logger(label: "ecoresupply.up")
        // The admin account: from the environment, else (for the demo) a known demo admin.
        var admin: (email: String, password: String)?
        if let email = settings.string("ADMIN_EMAIL"), let password = settings.string("ADMIN_PASSWORD") {
            admin = (email, password)
        } else if seedDemo {
            admin = Self.demoAdmin
        }
        let children = try Self.children(config: config, insecure: keys == nil, httpHost: host, httpPort: port, admin: admin)
        say("""
            EcoResupply is starting \(children.count) processes.
              gateway  http://\(host):\(port)   (/healthz, /readyz, /metrics, /openapi.json)
              bus      \(config.topology.subscribeEndpoint) to subscribe (ecoresupply tail), \(config.topology.publishEndpoint) to publish
              data     \(config.dataDirectory.path)
              keys     \(config.busKeys.map { "CURVE on every bus link, keys in \($0.path)" } ?? "none: the bus is plain TCP (--insecure-bus)")
            Ctrl-C stops everything.
            """)
        if let admin, seedDemo {
            say("  admin    \(admin.email) / \(admin.password)   (demo data follows once the system is ready)")
        }
        let supervisor = Supervisor(children: children, logger: logger)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: supervisor)]
        if seedDemo, let admin {
            let client = GatewayClient(base: URL(string: "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)")!)
            services.append(.init(
                service: DemoSeedService(seeder: DemoSeeder(client: client, adminEmail: admin.email, adminPassword: admin.password, log: { say($0) }), logger: logger),
                successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        say("EcoResupply stopped.")
    }
}

extension UpCommand {
    /// The forwarder and every service of `config`'s deployment, as `up` (and `bench http`) start them.
    static func children(
        config: ServiceConfig, insecure: Bool, httpHost: String, httpPort: Int, admin: (email: String, password: String)?, gatewayArguments: [String] = []
    ) throws -> [ChildSpec] {
        let binaries = try ExecutableLocator.directory()
        let keys = busKeyArguments(keys: config.busKeys, insecure: insecure)
        let common = [
            "--data-dir", config.dataDirectory.path,
            "--bus-port", "\(config.topology.busPort)",
            "--bus-host", config.topology.host,
            "--durability", config.durability.rawValue,
            "--log-level", config.logLevel,
            "--matchers", "\(config.matcherCount)",
        ] + keys
        var children = [ChildSpec(
            name: "forwarder", executable: binaries.appendingPathComponent("ecoresupply"),
            arguments: ["forwarder", "--bus-port", "\(config.topology.busPort)", "--bus-host", config.topology.host, "--log-level", config.logLevel] + keys)]
        for instance in BusTopology.instances(matchers: config.matcherCount) {
            var arguments = common
            if let index = instance.index { arguments += ["--worker", "\(index)"] }
            var environment: [String: String] = [:]
            if instance.kind == .gateway {
                arguments += ["--http-port", "\(httpPort)", "--http-host", httpHost] + gatewayArguments
                environment = ["ECORESUPPLY_ADMIN_EMAIL": admin?.email, "ECORESUPPLY_ADMIN_PASSWORD": admin?.password].compactMapValues { $0 }
            }
            children.append(ChildSpec(
                name: instance.name, executable: binaries.appendingPathComponent(instance.kind.executableName), arguments: arguments, environment: environment))
        }
        for child in children where !FileManager.default.isExecutableFile(atPath: child.executable.path) {
            throw ValidationError("missing executable \(child.executable.path): build the package first (swift build)")
        }
        return children
    }

    /// Makes the deployment's bus keys on first start (and any a new worker count needs), in
    /// `--bus-keys` or `<data-dir>/bus-keys`; nil when the operator chose `--insecure-bus`.
    static func makeBusKeys(_ options: CommonOptions, environment: [String: String]) throws -> URL? {
        var probe = options
        probe.insecureBus = true
        let draft = try probe.resolve(instance: ServiceInstance(.gateway), environment: environment)
        if options.insecureBus || environment["ECORESUPPLY_INSECURE_BUS"] == "1" { return nil }
        let settings = EnvironmentSettings(environment)
        let directory = (options.busKeys ?? settings.string("BUS_KEYS")).map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? draft.dataDirectory.appendingPathComponent(CommonOptions.busKeysFolder, isDirectory: true)
        let names = BusKeyDirectory.names(instances: BusTopology.instances(matchers: draft.matcherCount).map(\.name))
        let made = try BusKeyDirectory.generate(in: directory, names: names)
        if !made.isEmpty { say("made bus keys for \(made.joined(separator: ", ")) in \(directory.path)") }
        return directory
    }

    /// What each child is told about the bus's keys.
    static func busKeyArguments(keys: URL?, insecure: Bool) -> [String] {
        if let keys { return ["--bus-keys", keys.path] }
        return insecure ? ["--insecure-bus"] : []
    }
}

/// Writes a line to standard output at once (not buffered, so supervisors and pipes see it).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Finds the directory holding the service executables: the one `ecoresupply` itself runs from.
enum ExecutableLocator {
    static func directory() throws -> URL {
        guard let url = Bundle.main.executableURL else {
            throw ValidationError("cannot locate the ecoresupply executable")
        }
        return url.resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
