import EcoBus
import EcoConfig
import EcoRuntime
import Foundation
import GRDB
import Logging
import Synchronization

/// A deployment of real executables for one test: its own temporary data directory, its own block
/// of loopback ports, and a bus client for commands and queries. Every process is killed at the end.
final class TestDeployment: @unchecked Sendable {
    // Used by one test task at a time; @unchecked because it holds Foundation Process objects.
    let root: URL
    let dataDirectory: URL
    let topology: BusTopology
    let httpPort: Int
    /// The worker count services are started with; a test may raise it (up to `matcherPorts`) to grow the deployment.
    var matchers: Int
    let binaries: URL
    private let plainClient: SocketLoop
    private let keyedClient = Mutex<SocketLoop?>(nil)
    private(set) var processes: [String: ServiceProcess] = [:]
    /// Flags added when starting an instance, by instance name (e.g. SMTP settings for notifications).
    var extraArguments: [String: [String]] = [:]
    /// Environment variables added when starting an instance, by instance name (e.g. an SMTP password).
    var extraEnvironment: [String: [String: String]] = [:]
    /// The bus's CURVE key directory every process is started with; nil: plain TCP.
    var busKeys: URL?
    /// Where each process runs when the deployment is spread over hosts; nil: all on loopback.
    let placement: Placement?

    /// Processes on the hosts of a `NetworkHosts`, by process name (`forwarder`, `ingest`, `matcher-1`, …).
    struct Placement {
        let network: NetworkHosts
        let hosts: [String: NetworkHosts.Host]

        func host(_ name: String) -> NetworkHosts.Host? { hosts[name] }
        /// `--peer-hosts` for every process: each instance at its host's address.
        var peerHosts: PeerHosts {
            PeerHosts(hosts: Dictionary(uniqueKeysWithValues: hosts.filter { $0.key != "forwarder" }.map { ($0.key, $0.value.address) }))
        }
        var peerHostsFlag: String { peerHosts.hosts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
    }

    /// - Parameter matcherPorts: ports kept for this many workers (default `matchers`), for tests that add workers.
    static func make(matchers: Int = 1, matcherPorts: Int? = nil, placement: Placement? = nil) async throws -> TestDeployment {
        let deployment = TestDeployment(matchers: matchers, matcherPorts: max(matcherPorts ?? matchers, matchers), placement: placement)
        try await deployment.plainClient.start()
        return deployment
    }

    private init(matchers: Int, matcherPorts: Int, placement: Placement?) {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ecoresupply-it-\(UUID().uuidString.prefix(8))")
        dataDirectory = root.appendingPathComponent("data")
        try? FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let base = PortBlock.find(count: 8 + matcherPorts)
        self.placement = placement
        if let placement, let forwarder = placement.host("forwarder") {
            topology = BusTopology(host: forwarder.address, busPort: base, peers: placement.peerHosts)
        } else {
            topology = BusTopology(busPort: base)
        }
        httpPort = base + 7 + matcherPorts
        self.matchers = matchers
        binaries = Self.binaryDirectory()
        var logger = Logger(label: "test-client")
        logger.logLevel = .critical
        plainClient = SocketLoop(endpoints: SocketLoopEndpoints(), sink: nil, logger: logger)
    }

    deinit {
        for process in processes.values where process.isRunning { process.stop(signal: SIGKILL) }
        plainClient.stop()
        keyedClient.withLock { $0?.stop() }
        if ProcessInfo.processInfo.environment["ECORESUPPLY_KEEP_TEST_DATA"] == nil {
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// Where `swift build` put the executables: ECORESUPPLY_BIN_DIR, else `.build/debug` of this package.
    static func binaryDirectory() -> URL {
        if let directory = ProcessInfo.processInfo.environment["ECORESUPPLY_BIN_DIR"] {
            return URL(fileURLWithPath: directory)
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Harness, IntegrationTests, Tests, package root
        return url.appendingPathComponent(".build/debug")
    }

    // MARK: - Processes

    func startForwarder() throws {
        try launch(name: "forwarder", executable: "ecoresupply", arguments: [
            "forwarder", "--bus-port", "\(topology.busPort)",
        ] + (busKeys.map { ["--bus-keys", $0.path] } ?? []) + placementArguments)
    }

    func start(_ instance: ServiceInstance) throws {
        var arguments = [
            "--data-dir", dataDirectory.path, "--bus-port", "\(topology.busPort)", "--matchers", "\(matchers)", "--log-level", "info",
        ]
        if let index = instance.index { arguments += ["--worker", "\(index)"] }
        if let busKeys { arguments += ["--bus-keys", busKeys.path] }
        arguments += placementArguments
        arguments += extraArguments[instance.name] ?? []
        var environment: [String: String] = [:]
        if instance.kind == .gateway {
            // A cheap bcrypt cost keeps sign-ups fast in tests; the admin is made at start.
            arguments += ["--http-port", "\(httpPort)", "--http-host", httpHost, "--bcrypt-cost", "4", "--weak-bcrypt-for-tests"]
            environment = ["ECORESUPPLY_ADMIN_EMAIL": Self.adminEmail, "ECORESUPPLY_ADMIN_PASSWORD": Self.adminPassword]
        }
        environment.merge(extraEnvironment[instance.name] ?? [:]) { _, new in new }
        try launch(name: instance.name, executable: instance.kind.executableName, arguments: arguments, environment: environment)
    }

    /// The forwarder and the given services, once each answers on its ROUTER socket.
    func startAnswering(_ instances: ServiceInstance...) async throws {
        try startForwarder()
        for instance in instances { try start(instance) }
        for instance in instances { try await awaitAnswering(instance) }
    }

    /// The forwarder and every service of the deployment.
    func startAll() throws {
        try startForwarder()
        for instance in BusTopology.instances(matchers: matchers) { try start(instance) }
    }

    /// Where the processes find each other when they are spread over hosts.
    private var placementArguments: [String] {
        guard let placement else { return [] }
        return ["--bus-host", topology.host, "--peer-hosts", placement.peerHostsFlag]
    }

    /// The gateway's HTTP address: its host's, or loopback.
    var httpHost: String { placement?.host("gateway")?.address ?? "127.0.0.1" }
    /// `http://host:port` of the gateway.
    var httpBase: String { "http://\(httpHost):\(httpPort)" }

    static let adminEmail = "admin@ecoresupply.test"
    static let adminPassword = "correct horse battery staple"

    private func launch(name: String, executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        if let existing = processes[name], existing.isRunning { throw HarnessError.alreadyRunning(name) }
        var (command, commandArguments) = (binaries.appendingPathComponent(executable), arguments)
        if let placement, let host = placement.host(name) { (command, commandArguments) = placement.network.command(on: host, command, arguments) }
        processes[name] = try ServiceProcess(
            name: name, executable: command, arguments: commandArguments,
            logURL: root.appendingPathComponent("\(name).log"), environment: environment)
    }

    func process(_ name: String) throws -> ServiceProcess {
        guard let process = processes[name] else { throw HarnessError.notStarted(name) }
        return process
    }

    /// Kills a process (SIGKILL by default) and waits for it to be gone.
    func kill(_ name: String, signal: Int32 = SIGKILL) throws {
        try process(name).stop(signal: signal)
    }

    /// SIGTERM to every process, services first; returns the exit status of each.
    func stopAll() -> [String: Int32] {
        var statuses: [String: Int32] = [:]
        for (name, process) in processes where name != "forwarder" {
            process.stop(signal: SIGTERM)
            statuses[name] = process.process.terminationStatus
        }
        if let forwarder = processes["forwarder"] {
            forwarder.stop(signal: SIGTERM)
            statuses["forwarder"] = forwarder.process.terminationStatus
        }
        return statuses
    }

    func logs(_ name: String) -> String { processes[name]?.logTail() ?? "(not started)" }

    /// A process's whole log, for tests that look for a line in it.
    func fullLog(_ name: String) -> String { processes[name]?.logTail(lines: .max) ?? "" }

    // MARK: - Bus queries

    /// The bus client for commands and queries: with the command line's key once the deployment has
    /// bus keys (`busKeys`, or those `ecoresupply up` made in the data directory), plain before.
    var client: SocketLoop {
        get async throws {
            let directory = busKeys ?? dataDirectory.appendingPathComponent(CommonOptions.busKeysFolder, isDirectory: true)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(BusKeyDirectory.publicFile).path) else { return plainClient }
            if let existing = keyedClient.withLock({ $0 }) { return existing }
            let config = ServiceConfig(
                instance: ServiceInstance(.gateway), dataDirectory: dataDirectory, topology: topology, matcherCount: max(matchers, 8), busKeys: directory)
            var logger = Logger(label: "test-client")
            logger.logLevel = .critical
            let loop = SocketLoop(endpoints: SocketLoopEndpoints(curve: try BusSecurity.curve(for: config, name: BusKeyDirectory.cliName)?.curve), sink: nil, logger: logger)
            try await loop.start()
            keyedClient.withLock { $0 = loop }
            return loop
        }
    }

    func endpoint(_ instance: ServiceInstance) -> String { topology.routerEndpoint(of: instance) }

    /// Fails at once, with its log, if a process this harness started has exited.
    func checkRunning(_ name: String) throws {
        guard let process = processes[name] else { return }  // started by someone else, e.g. `up`
        if !process.isRunning { throw HarnessError.exited(name, process.logTail()) }
    }

    /// Waits until `GET path` on the gateway answers `status`; fails early if the gateway died.
    @discardableResult
    func awaitHTTP(_ path: String, status: Int = 200, timeout: Duration = .seconds(30)) async throws -> HTTP.Reply {
        try await eventually("GET \(path) to answer \(status)", timeout: timeout) {
            try checkRunning("gateway")
            let reply = try await HTTP.get("\(httpBase)\(path)")
            return reply.status == status ? reply : nil
        }
    }

    /// Waits until the instance answers `bus.ping` on its ROUTER socket.
    func awaitAnswering(_ instance: ServiceInstance, timeout: Duration = .seconds(30)) async throws {
        _ = try await eventually("\(instance) to answer", timeout: timeout) {
            try checkRunning(instance.name)
            let reply = try await (try await client).request(endpoint(instance), kind: BusRequestKind.ping, timeout: .milliseconds(500))
            return reply.first.map { String(decoding: $0, as: UTF8.self) } == instance.name ? true : nil
        }
    }

    /// Has `instance` publish `count` diagnostic pings; returns the run's name.
    @discardableResult
    func emit(from instance: ServiceInstance, count: Int, batch: Int = 100, rate: Int? = nil, run: String = UUID().uuidString) async throws -> String {
        let body = try JSONEncoder().encode(Diagnostics.EmitRequest(count: count, batch: batch, rate: rate, run: run))
        let reply = try await (try await client).request(endpoint(instance), kind: Diagnostics.emitRequest, body: [body], timeout: .seconds(5))
        return try JSONDecoder().decode(Diagnostics.EmitReply.self, from: reply[0]).run
    }

    /// How many pings of `run` the instance applied, and how many distinct (producer, sequence) they were.
    func pings(at instance: ServiceInstance, run: String? = nil) async throws -> Diagnostics.CountReply {
        let body = try JSONEncoder().encode(Diagnostics.CountRequest(run: run))
        let reply = try await (try await client).request(endpoint(instance), kind: Diagnostics.countRequest, body: [body], timeout: .seconds(2))
        return try JSONDecoder().decode(Diagnostics.CountReply.self, from: reply[0])
    }

    /// The producer's latest committed sequence, from a replay request.
    func latestSequence(of instance: ServiceInstance) async throws -> Int64 {
        let body = try JSONEncoder().encode(ReplayRequest(from: 1, limit: 1))
        let reply = try await (try await client).request(endpoint(instance), kind: BusRequestKind.replay, body: [body], timeout: .seconds(2))
        return try JSONDecoder().decode(ReplayReply.self, from: reply[0]).latest
    }

    /// Waits until `instance` applied exactly `count` pings of `run`, and fails if it ever shows more.
    func awaitPings(at instance: ServiceInstance, run: String, count: Int, timeout: Duration = .seconds(60)) async throws -> Diagnostics.CountReply {
        try await eventually("\(instance) to apply \(count) pings of run \(run)", timeout: timeout) {
            let reply = try await pings(at: instance, run: run)
            if reply.count > count || reply.distinct != reply.count { throw HarnessError.duplicates(instance.name, reply.count, reply.distinct) }
            return reply.count == count ? reply : nil
        }
    }

    /// Opens an instance's SQLite file read-only, to inspect what it stored.
    func database(of instance: ServiceInstance) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: dataDirectory.appendingPathComponent("\(instance.name).sqlite").path, configuration: configuration)
    }
}

enum HarnessError: Error, CustomStringConvertible {
    case alreadyRunning(String)
    case notStarted(String)
    case duplicates(String, Int, Int)
    case exited(String, String)

    var description: String {
        switch self {
        case .alreadyRunning(let name): "\(name) is already running"
        case .notStarted(let name): "\(name) was never started"
        case .duplicates(let name, let count, let distinct): "\(name) applied \(count) pings for \(distinct) distinct events"
        case .exited(let name, let log): "\(name) exited; its log ends with:\n\(log)"
        }
    }
}
