import EcoConfig
import Foundation

/// Kills the deployment's processes with SIGKILL in a shuffled order, each `rounds` times, the
/// forwarder included, and restarts each once it is gone. The next kill waits until the restarted
/// process answers again, so that every kill hits a process that was working.
struct ChaosMonkey {
    let deployment: TestDeployment
    let rounds: Int
    /// Between a restart being ready and the next kill: time for the load to run on a whole system.
    let calm: Duration

    /// Every process's log, across its restarts (a restart starts a new log file).
    private(set) var logs: [String: String] = [:]
    private(set) var kills: [String: Int] = [:]

    var names: [String] { ["forwarder"] + BusTopology.instances(matchers: deployment.matchers).map(\.name) }

    mutating func run() async throws {
        var generator = SystemRandomNumberGenerator()
        let schedule = (0..<rounds).flatMap { _ in names }.shuffled(using: &generator)
        for name in schedule {
            try await Task.sleep(for: calm)
            try deployment.kill(name)
            // Read after the kill and before the restart, which starts a new log file.
            logs[name, default: ""] += deployment.fullLog(name)
            kills[name, default: 0] += 1
            try await restart(name)
        }
    }

    /// Everyone's log as it stands now, after the ones saved at each kill.
    func allLogs() -> [String: String] {
        names.reduce(into: [:]) { result, name in result[name] = logs[name, default: ""] + deployment.fullLog(name) }
    }

    private func restart(_ name: String) async throws {
        if name == "forwarder" {
            try deployment.startForwarder()
            // Ready again once the gateway's own heartbeat comes back through the new forwarder.
            _ = try await deployment.awaitHTTP("/readyz")
            return
        }
        guard let instance = BusTopology.instances(matchers: deployment.matchers).first(where: { $0.name == name }) else { return }
        try deployment.start(instance)
        try await deployment.awaitAnswering(instance)
        if instance.kind == .gateway { _ = try await deployment.awaitHTTP("/readyz") }
    }
}
