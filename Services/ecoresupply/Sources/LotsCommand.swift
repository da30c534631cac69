import ArgumentParser
import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import Foundation
import Logging

/// `ecoresupply lots …`: operations on the food lots of a running deployment.
struct LotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lots", abstract: "Operate on a running deployment's food lots.", subcommands: [LotsReleaseCommand.self])
}

/// `ecoresupply lots release --worker N`: declares matcher worker N lost for good, so that the
/// workers awaiting its lots rebuild them from the reservations it relayed (docs/decisions/0017).
/// Ingest refuses while the worker is heard or named by the latest tick.
struct LotsReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Declare a matcher worker whose store is lost for good; its food lots are rebuilt from the reservations and missions it relayed.",
        discussion: """
            Only for a worker that will not come back with its store: the reservations it made and had not \
            relayed yet are lost. A worker that is only down hands its lots over itself when it restarts.
            """)

    @OptionGroup var options: CommonOptions

    @Option(help: "The number of the lost worker (matcher-N).")
    var worker: Int

    func validate() throws {
        guard worker >= 0 else { throw ValidationError("--worker must be 0 or more (matcher-N)") }
    }

    func run() async throws {
        let config = try options.resolve(instance: ServiceInstance(.gateway))
        var logger = Logger(label: "ecoresupply.lots")
        logger.logLevel = .warning
        let curve = try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: curve), sink: nil, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        let ingest = config.topology.routerEndpoint(of: ServiceInstance(.ingest))
        let body = try EventCodec.encoder.encode(LotReleaseRequests.Release(worker: worker))
        let reply: [Data]
        do {
            reply = try await loop.request(ingest, kind: LotReleaseRequests.release, body: [body], timeout: .seconds(5))
        } catch .remote(let refusal) {
            print("ingest refused to release matcher-\(worker): \(refusal.message)")
            throw ExitCode.failure
        } catch {
            print("ingest did not answer at \(ingest) (\(error)); is the deployment running on bus port \(config.topology.busPort)?")
            throw ExitCode.failure
        }
        let released = try EventCodec.decoder.decode(LotReleaseRequests.Released.self, from: reply[0])
        print("""
            matcher-\(worker) released at ingest's sequence \(released.sequence); the members \
            \(released.release.members.map { "matcher-\($0)" }.joined(separator: ", ")) rebuild its lots \
            (each one is logged as "a released worker's lot was rebuilt", with the time of its latest relayed reservation or mission)
            """)
    }
}
