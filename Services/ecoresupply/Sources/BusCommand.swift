import ArgumentParser
import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply bus …`: checks of a running deployment's bus.
struct BusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus", abstract: "Check a running deployment's bus.", subcommands: [BusPingCommand.self, BusHealthCommand.self])
}

/// `ecoresupply bus ping`: one service emits diagnostic events; every other service must apply each exactly once.
struct BusPingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Have one service publish N diagnostic events and wait until every other service applied each exactly once.")

    @OptionGroup var options: CommonOptions

    @Option(help: "The service that publishes: gateway, ingest, reporting, notifications, pickup-validator, matcher-N.")
    var from: String = "ingest"

    @Option(help: "How many events (1 to 1000000).")
    var count: Int = 100

    @Option(help: "Seconds to wait for every service (default 60).")
    var timeout: Double = 60

    func validate() throws {
        guard (1...Diagnostics.maximumCount).contains(count) else { throw ValidationError("--count must be between 1 and \(Diagnostics.maximumCount)") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be in (0, 3600]") }
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        let instances = BusTopology.instances(matchers: config.matcherCount)
        guard let producer = instances.first(where: { $0.name == from }) else {
            throw ValidationError("unknown service '\(from)'; use one of \(instances.map(\.name).joined(separator: ", "))")
        }
        var logger = Logger(label: "ecoresupply.bus-ping")
        logger.logLevel = .warning
        // The command line has a key of its own on a bus that runs CURVE.
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        let started = ContinuousClock.now
        let body = try JSONEncoder().encode(Diagnostics.EmitRequest(count: count))
        let reply = try await loop.request(config.topology.routerEndpoint(of: producer), kind: Diagnostics.emitRequest, body: [body], timeout: .seconds(5))
        let run = try JSONDecoder().decode(Diagnostics.EmitReply.self, from: reply[0]).run
        print("\(from) is publishing \(count) diagnostic events (run \(run))")
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var pending = instances.filter { $0 != producer }
        while !pending.isEmpty {
            var still: [ServiceInstance] = []
            for instance in pending {
                let query = try JSONEncoder().encode(Diagnostics.CountRequest(run: run))
                let counts = try? await loop.request(config.topology.routerEndpoint(of: instance), kind: Diagnostics.countRequest, body: [query], timeout: .seconds(2))
                guard let counts, let result = try? JSONDecoder().decode(Diagnostics.CountReply.self, from: counts[0]) else {
                    still.append(instance)
                    continue
                }
                if result.count > count || result.distinct != result.count {
                    throw ValidationError("\(instance.name) applied \(result.count) events for \(result.distinct) distinct ones: duplicates")
                }
                if result.count == count {
                    print("  \(instance.name): \(count) applied once each, after \(started.duration(to: .now))")
                } else {
                    still.append(instance)
                }
            }
            pending = still
            if !pending.isEmpty {
                guard ContinuousClock.now < deadline else {
                    throw ValidationError("timed out waiting for \(pending.map(\.name).joined(separator: ", "))")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        print("all services applied every event exactly once")
    }
}
