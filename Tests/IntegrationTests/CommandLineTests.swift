import EcoBus
import EcoConfig
import Foundation
import Testing

/// `ecoresupply up` and `ecoresupply tail` as an operator uses them.
@Suite("ecoresupply up and tail", .serialized)
struct CommandLineTests {
    @Test("up starts every process, restarts one that dies, and stops all on SIGTERM")
    func upSupervises() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        let up = try ServiceProcess(
            name: "up", executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: [
                "up", "--data-dir", deployment.dataDirectory.path, "--bus-port", "\(deployment.topology.busPort)",
                "--http-port", "\(deployment.httpPort)", "--matchers", "2",
            ],
            logURL: deployment.root.appendingPathComponent("up.log"))
        defer { if up.isRunning { up.stop(signal: SIGKILL) } }
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        _ = try await eventually("the deployment to be ready") {
            try await HTTP.get("\(base)/readyz").status == 200 ? true : nil
        }
        let needle = deployment.dataDirectory.path
        let children = ProcessTable.find(containing: [needle]).filter { !$0.arguments.contains("up") && !$0.arguments.contains("forwarder") }
        let names = Set(children.compactMap { $0.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } })
        #expect(names == ["gateway", "ingest", "matcher", "reporting", "notifications", "pickup-validator"])
        #expect(children.filter { $0.arguments.first?.hasSuffix("/matcher") == true }.count == 2)
        let forwarder = ProcessTable.find(containing: ["forwarder", "\(deployment.topology.busPort)"])
        #expect(forwarder.count == 1)
        #expect(try String(contentsOf: up.logURL, encoding: .utf8).contains("http://127.0.0.1:\(deployment.httpPort)"))
        // With nothing set, up made the bus keys and every process runs CURVE with its own.
        let keys = deployment.dataDirectory.appendingPathComponent(CommonOptions.busKeysFolder)
        #expect(try String(contentsOf: up.logURL, encoding: .utf8).contains("CURVE on every bus link"))
        #expect(FileManager.default.fileExists(atPath: keys.appendingPathComponent("reporting.key").path))
        #expect(children.allSatisfy { $0.arguments.contains(keys.path) } && forwarder.first?.arguments.contains(keys.path) == true)

        // Kill one worker: up starts it again and it serves again.
        let victim = try #require(children.first { $0.arguments.first?.hasSuffix("/reporting") == true })
        kill(victim.pid, SIGKILL)
        let replacement = try await eventually("up to restart reporting") {
            ProcessTable.find(containing: [needle, "reporting"]).first { $0.pid != victim.pid && ProcessTable.isAlive($0.pid) }
        }
        #expect(replacement.pid != victim.pid)
        try await deployment.awaitAnswering(ServiceInstance(.reporting))
        let log = try String(contentsOf: up.logURL, encoding: .utf8)
        #expect(log.contains("process exited; restarting") && log.contains("process.name=reporting"))

        // SIGTERM stops everything and up exits cleanly.
        up.stop(signal: SIGTERM)
        #expect(up.process.terminationStatus == 0)
        let left = ProcessTable.find(containing: [needle]).filter { ProcessTable.isAlive($0.pid) }
        #expect(left.isEmpty, "no process left behind: \(left)")
    }

    @Test("killing up with SIGKILL leaves no orphaned process behind")
    func noOrphansAfterSupervisorDies() async throws {
        let deployment = try await TestDeployment.make()
        let up = try ServiceProcess(
            name: "up", executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: ["up", "--data-dir", deployment.dataDirectory.path, "--bus-port", "\(deployment.topology.busPort)", "--http-port", "\(deployment.httpPort)"],
            logURL: deployment.root.appendingPathComponent("up.log"))
        defer { if up.isRunning { up.stop(signal: SIGKILL) } }
        for instance in BusTopology.instances(matchers: 1) { try await deployment.awaitAnswering(instance) }
        let needle = deployment.dataDirectory.path
        #expect(ProcessTable.find(containing: [needle]).filter { !$0.arguments.contains("up") }.count == 7, "six services and the forwarder, which has the data directory's keys")

        up.stop(signal: SIGKILL)
        let left = try await eventually("every child to notice and stop", timeout: .seconds(20)) { () -> [ProcessTable.Entry]? in
            let alive = ProcessTable.find(containing: [needle]).filter { ProcessTable.isAlive($0.pid) }
                + ProcessTable.find(containing: ["forwarder", "\(deployment.topology.busPort)"]).filter { ProcessTable.isAlive($0.pid) }
            return alive.isEmpty ? alive : nil
        }
        #expect(left.isEmpty)
    }

    @Test("seed demo fills a running system: people, shops, lots, reservations and pickups that show in the KPIs")
    func seedDemo() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let seed = try ServiceProcess(
            name: "seed", executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: ["seed", "demo", "--http-port", "\(deployment.httpPort)"],
            logURL: deployment.root.appendingPathComponent("seed.log"),
            environment: ["ECORESUPPLY_ADMIN_EMAIL": TestDeployment.adminEmail, "ECORESUPPLY_ADMIN_PASSWORD": TestDeployment.adminPassword])
        _ = try await eventually("the seed to finish", timeout: .seconds(120)) { seed.isRunning ? nil : true }
        #expect(seed.process.terminationStatus == 0, "\(seed.logTail())")
        let kpis = try await eventually("the KPIs to count the demo's pickups") { () -> [String: Any]? in
            let json = try await HTTP.get("http://127.0.0.1:\(deployment.httpPort)/v1/kpis").json()
            return (json["pickups"] as? Int ?? 0) >= 5 ? json : nil
        }
        #expect((kpis["mealsSaved"] as? Double ?? 0) > 0)
        #expect((kpis["beneficiariesHelped"] as? Int ?? 0) >= 1)
        let lots = try await HTTP.get("http://127.0.0.1:\(deployment.httpPort)/v1/lots?lat=43.296&lon=5.37&radiusKm=5")
        #expect(((try lots.json()["items"] as? [Any])?.count ?? 0) >= 4)
        _ = deployment.stopAll()
    }

    @Test("tail --replay prints the history once, then live events, one JSON line each")
    func tailReplaysThenFollows() async throws {
        let deployment = try await TestDeployment.make()
        let ingest = ServiceInstance(.ingest)
        try await deployment.startAnswering(ingest)
        let history = try await deployment.emit(from: ingest, count: 5)
        _ = try await eventually("ingest to commit the history") {
            try await deployment.latestSequence(of: ingest) == 5 ? true : nil
        }

        let output = OutputLines()
        let tail = Process()
        tail.executableURL = deployment.binaries.appendingPathComponent("ecoresupply")
        tail.arguments = ["tail", "diagnostic.", "--replay", "--count", "8", "--bus-port", "\(deployment.topology.busPort)", "--discover-seconds", "1.5"]
        tail.standardOutput = output.pipe
        tail.standardInput = FileHandle.nullDevice
        try tail.run()
        defer { if tail.isRunning { kill(tail.processIdentifier, SIGKILL) } }

        _ = try await eventually("tail to print the history") { output.lines.count >= 5 ? true : nil }
        let live = try await deployment.emit(from: ingest, count: 3)
        _ = try await eventually("tail to print the live events and exit") { tail.isRunning ? nil : true }
        #expect(tail.terminationStatus == 0)

        let events = try output.lines.map { line in
            try JSONDecoder().decode(CloudEvent<DiagnosticPingLine>.self, from: Data(line.utf8))
        }
        #expect(events.map(\.sequence) == Array(1...8).map { Int64($0) })
        #expect(events.allSatisfy { $0.source == "ingest" && $0.type == Topic.diagnosticPing })
        #expect(events.prefix(5).allSatisfy { $0.data.run == history })
        #expect(events.suffix(3).allSatisfy { $0.data.run == live })
        _ = deployment.stopAll()
    }
}

/// The data of a diagnostic ping as tail prints it.
struct DiagnosticPingLine: Codable, Sendable {
    let run: String
    let index: Int
}
