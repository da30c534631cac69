import EcoConfig
import Foundation
import Testing

/// `ecoresupply bus health`, the probe the Kubernetes manifests run in each container, against a
/// real deployment on CURVE.
@Suite("Bus health probe", .serialized)
struct BusHealthTests {
    struct Run {
        let status: Int32
        let output: String
    }

    static func health(_ deployment: TestDeployment, keys: URL, _ arguments: [String]) throws -> Run {
        let process = Process(), output = Pipe()
        process.executableURL = deployment.binaries.appendingPathComponent("ecoresupply")
        process.arguments = ["bus", "health", "--bus-port", "\(deployment.topology.busPort)", "--bus-keys", keys.path,
                             "--matchers", "\(deployment.matchers)"] + arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: text)
    }

    @Test("a running service answers (exit 0), with its own key or the command line's; a stopped one does not (exit 1); a wrong name is refused")
    func probe() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        let keys = deployment.root.appendingPathComponent("bus-keys", isDirectory: true)
        let made = Process()
        made.executableURL = deployment.binaries.appendingPathComponent("ecoresupply")
        made.arguments = ["keys", "init", "--bus-keys", keys.path, "--matchers", "2"]
        try made.run()
        made.waitUntilExit()
        #expect(made.terminationStatus == 0)
        deployment.busKeys = keys
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")

        for instance in ["ingest", "matcher-1", "gateway"] {
            let run = try Self.health(deployment, keys: keys, ["--instance", instance])
            #expect(run.status == 0 && run.output.contains("\(instance) answers"), "\(run.output)")
        }
        let asCLI = try Self.health(deployment, keys: keys, ["--instance", "reporting", "--key", "cli"])
        #expect(asCLI.status == 0, "\(asCLI.output)")

        try deployment.kill("reporting", signal: SIGTERM)
        let stopped = try Self.health(deployment, keys: keys, ["--instance", "reporting", "--timeout", "1"])
        #expect(stopped.status == 1 && stopped.output.contains("does not answer"), "\(stopped.output)")

        let unknown = try Self.health(deployment, keys: keys, ["--instance", "matcher"])
        #expect(unknown.status == 64 && unknown.output.contains("--instance"), "\(unknown.output)")
        _ = deployment.stopAll()
    }
}
