import ArgumentParser
import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply bus health --instance NAME`: whether one process answers on its ROUTER (`bus.ping`)
/// within the timeout; exits 0 when it does, 1 when not. A container's liveness and readiness probe.
struct BusHealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Check that one service answers on the bus (exit 0), e.g. as a container probe.")

    @OptionGroup var options: CommonOptions

    @Option(help: "The service to ask: gateway, ingest, reporting, notifications, pickup-validator, matcher-N.")
    var instance: String

    @Option(help: "Seconds to wait for the answer (default 2).")
    var timeout: Double = 2

    @Option(help: "Whose bus key to connect with (default: the instance's own, as a probe inside its container has; else cli).")
    var key: String?

    func validate() throws {
        guard ServiceInstance(name: instance) != nil else {
            throw ValidationError("--instance: unknown service '\(instance)'; use gateway, ingest, reporting, notifications, pickup-validator or matcher-N")
        }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be in (0, 60]") }
    }

    func run() async throws {
        guard let target = ServiceInstance(name: instance) else { throw ExitCode.validationFailure }
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        var logger = Logger(label: "ecoresupply.bus-health")
        logger.logLevel = .error
        let curve = try BusSecurity.curve(for: config, name: key ?? Self.ownKey(target, in: config))?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        let endpoint = config.topology.routerEndpoint(of: target)
        do {
            let reply = try await loop.request(endpoint, kind: BusRequestKind.ping, timeout: .milliseconds(Int(timeout * 1000)))
            guard reply.first.map({ String(decoding: $0, as: UTF8.self) }) == target.name else {
                print("\(endpoint) answered, but not as \(target.name)")
                throw ExitCode.failure
            }
            print("\(target.name) answers at \(endpoint)")
        } catch let error as BusRequestError {
            print("\(target.name) does not answer at \(endpoint): \(error)")
            throw ExitCode.failure
        }
    }

    /// The instance's own key name when its key file is there, else the command line's.
    static func ownKey(_ target: ServiceInstance, in config: ServiceConfig) -> String {
        guard let directory = config.busKeys,
              FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(target.name).key").path) else { return BusKeyDirectory.cliName }
        return target.name
    }
}
