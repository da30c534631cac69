import ArgumentParser
import EcoConfig
import EcoObservability
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `ecoresupply bench http`: starts a deployment on this machine (release binaries, CURVE on),
/// fills it, and drives it with wrk; every figure is printed beside a hello-world Hummingbird route
/// measured in the same run with the same wrk settings.
struct HTTPBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Measure the gateway with wrk (GET /v1/lots, POST reservations, POST reports) beside a hello-world Hummingbird route.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Lots published around the Vieux-Port before measuring (100 to 100000).")
    var lots: Int = 10_000

    @Option(help: "Seconds each wrk run lasts (1 to 120).")
    var seconds: Int = 10

    @Option(help: "wrk connections (1 to 1000).")
    var connections: Int = 32

    @Option(help: "wrk threads (1 to 16).")
    var threads: Int = 2

    @Option(name: .customLong("http-port"), help: "The gateway's port; the hello-world baseline takes the next one.")
    var httpPort: Int = 18_080

    func validate() throws {
        guard (100...100_000).contains(lots) else { throw ValidationError("--lots must be between 100 and 100000") }
        guard (1...120).contains(seconds) else { throw ValidationError("--seconds must be between 1 and 120") }
        guard (1...1000).contains(connections) else { throw ValidationError("--connections must be between 1 and 1000") }
        guard (1...16).contains(threads), threads <= connections else { throw ValidationError("--threads must be between 1 and 16, and at most --connections") }
        guard (1...65_534).contains(httpPort) else { throw ValidationError("--http-port must be between 1 and 65534") }
    }

    func run() async throws {
        let wrk = try Wrk(threads: threads, connections: connections, seconds: seconds)
        var options = self.options
        if options.dataDir == nil {
            options.dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("ecoresupply-bench-http-\(UUID().uuidString)").path
        }
        if options.busPort == nil { options.busPort = 27_900 }
        let environment = ProcessInfo.processInfo.environment
        let keys = try UpCommand.makeBusKeys(options, environment: environment)
        let config = try options.resolve(instance: ServiceInstance(.gateway), environment: environment)
        Observability.bootstrap(level: .warning)
        let logger = Logger(label: "ecoresupply.bench.http")
        let admin = (email: "bench-admin@example.org", password: UUID().uuidString)
        let children = try UpCommand.children(
            config: config, insecure: keys == nil, httpHost: "127.0.0.1", httpPort: httpPort, admin: admin,
            gatewayArguments: ["--filings-per-hour", "100000", "--account-filings-per-hour", "100000"])
        let supervisor = Supervisor(children: children, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: supervisor), .init(service: HelloBaseline.application(port: httpPort + 1))],
            logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        do {
            try await measure(wrk, config: config, supervisor: supervisor)
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    private func measure(_ wrk: Wrk, config: ServiceConfig, supervisor: Supervisor) async throws {
        let base = "http://127.0.0.1:\(httpPort)"
        let client = GatewayClient(base: URL(string: base)!)
        try await client.awaitReady(timeout: .seconds(90))
        say("bench http: \(lots) lots in \(config.dataDirectory.path), wrk -t\(threads) -c\(connections) -d\(seconds)s")
        let started = ContinuousClock.now
        let data = try await HTTPBenchData.prepare(client, lots: lots, reservable: 100)
        say("  published \(lots + 100) lots in \(started.duration(to: .now))")
        let hello = try wrk.run("http://127.0.0.1:\(httpPort + 1)/hello")
        report("hello-world Hummingbird (baseline)", hello, baseline: hello)
        let centre = HTTPBenchData.centre
        let pids = await supervisor.processIDs()
        let routes: [(name: String, url: String, script: String?)] = [
            ("GET /v1/lots near a point", "\(base)/v1/lots?lat=\(centre.latitude)&lon=\(centre.longitude)&radiusKm=5&limit=20", nil),
            ("POST /v1/lots/{id}/reservations", base, data.reservationScript),
            ("POST /v1/reports", base, data.reportScript),
            ("GET /healthz", "\(base)/healthz", nil),
        ]
        for route in routes {
            let (result, cpu) = try CPUByProcess.measure(pids) { try wrk.run(route.url, script: route.script) }
            report(route.name, result, baseline: hello)
            say("    CPU per request: " + cpu.perRequestSummary(requests: result.requests))
        }
    }

    private func report(_ name: String, _ result: Wrk.Result, baseline: Wrk.Result) {
        let share = result.requestsPerSecond / max(baseline.requestsPerSecond, 1) * 100
        say("  " + name.padding(toLength: 38, withPad: " ", startingAt: 0) + String(
            format: " %10.0f req/s  p50 %8.2f ms  p99 %8.2f ms  %5.1f%% of hello-world  (%d requests, %d failed)",
            result.requestsPerSecond, result.p50Milliseconds, result.p99Milliseconds, share, result.requests, result.failures))
    }
}
