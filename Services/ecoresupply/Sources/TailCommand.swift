import ArgumentParser
import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply tail`: prints a running deployment's events as they happen, one JSON line each.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print events live from a running deployment, one JSON line each.",
        discussion: "PREFIX filters by topic, e.g. `listing.` or `report.filed`. With no prefix every event is printed (heartbeats only with --heartbeats).")

    @Argument(help: "Topic prefixes to print (default: all).")
    var prefixes: [String] = []

    @Option(name: .customLong("bus-port"), help: "The deployment's bus port (env ECORESUPPLY_BUS_PORT, default 7700).")
    var busPort: Int?

    @Option(name: .customLong("bus-host"), help: "The deployment's bus host (default 127.0.0.1).")
    var busHost: String?

    @Option(name: .customLong("bus-keys"), help: "The deployment's bus key directory, on a bus that runs CURVE (env ECORESUPPLY_BUS_KEYS; default ./data/bus-keys when it exists); tail uses its cli key.")
    var busKeys: String?

    @Flag(help: "First print the history each producer still has, then continue live.")
    var replay = false

    @Flag(help: "Human-readable output instead of JSON lines.")
    var pretty = false

    @Flag(help: "Also print bus heartbeats.")
    var heartbeats = false

    @Option(help: "Exit after printing this many events.")
    var count: Int?

    @Option(name: .customLong("discover-seconds"), help: "With --replay, how long to listen for producers' heartbeats first (default 2.5).")
    var discoverSeconds: Double = 2.5

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        for prefix in prefixes where prefix.utf8.count > Topic.maximumLength {
            throw ValidationError("prefix '\(prefix.prefix(20))…' is longer than a topic can be")
        }
        guard discoverSeconds > 0, discoverSeconds <= 60 else { throw ValidationError("--discover-seconds must be in (0, 60]") }
    }

    func run() async throws {
        let settings = EnvironmentSettings(ProcessInfo.processInfo.environment)
        let topology = BusTopology(host: busHost ?? settings.string("BUS_HOST") ?? "127.0.0.1", busPort: try busPort ?? settings.int("BUS_PORT") ?? CommonOptions.defaultBusPort)
        var logger = Logger(label: "ecoresupply.tail")
        logger.logLevel = .warning
        // The keys `ecoresupply up` made in the data directory are found without saying so.
        let madeByUp = URL(fileURLWithPath: settings.string("DATA_DIR") ?? CommonOptions.defaultDataDirectory, isDirectory: true)
            .appendingPathComponent(CommonOptions.busKeysFolder, isDirectory: true)
        let keys = (busKeys ?? settings.string("BUS_KEYS")).flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
            ?? (FileManager.default.fileExists(atPath: madeByUp.appendingPathComponent(BusKeyDirectory.publicFile).path) ? madeByUp : nil)
        // Replay asks any worker's ROUTER: the keys of as many workers as a deployment may have.
        let config = ServiceConfig(
            instance: ServiceInstance(.gateway), dataDirectory: URL(fileURLWithPath: "."), topology: topology, matcherCount: 64, busKeys: keys)
        let tail = EventTail(
            topology: topology, prefixes: prefixes, includeHeartbeats: heartbeats,
            printer: EventPrinter(pretty: pretty), limit: count,
            curve: try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve, logger: logger)
        try await tail.run(replay: replay, discovery: .milliseconds(Int(discoverSeconds * 1000)))
    }
}
