import Foundation
import Logging
import ServiceLifecycle

/// A process `up` starts and keeps running.
struct ChildSpec: Sendable {
    let name: String
    let executable: URL
    let arguments: [String]
    /// Set on top of the supervisor's own environment.
    var environment: [String: String] = [:]
}

/// Starts each child as a separate OS process, restarts one that dies (with back-off, logged), and
/// on graceful shutdown sends SIGTERM to all, then SIGKILL to any still running after `stopTimeout`.
/// Children are started in order; the first one (the forwarder) gets a head start.
actor Supervisor: Service {
    private let children: [ChildSpec]
    private let logger: Logger
    private let stopTimeout: Duration
    private var running: [String: Process] = [:]
    private var startedAt: [String: ContinuousClock.Instant] = [:]
    private var backoff: [String: Backoff] = [:]
    private var stopping = false
    private let exits: AsyncStream<(name: String, status: Int32, reason: Process.TerminationReason)>
    private let exitContinuation: AsyncStream<(name: String, status: Int32, reason: Process.TerminationReason)>.Continuation

    init(children: [ChildSpec], logger: Logger, stopTimeout: Duration = .seconds(10)) {
        self.children = children
        self.logger = logger
        self.stopTimeout = stopTimeout
        (exits, exitContinuation) = AsyncStream.makeStream()
    }

    func run() async throws {
        for child in children {
            try start(child)
        }
        await withGracefulShutdownHandler {
            await watch()
        } onGracefulShutdown: {
            Task { await self.stopAll() }
        }
    }

    private func watch() async {
        for await exit in exits {
            running[exit.name] = nil
            if stopping {
                if running.isEmpty { break }
                continue
            }
            guard let child = children.first(where: { $0.name == exit.name }) else { continue }
            let uptime = startedAt[exit.name].map { $0.duration(to: .now) } ?? .zero
            var policy = backoff[exit.name] ?? Backoff()
            let delay = policy.next(afterUptime: uptime)
            backoff[exit.name] = policy
            logger.warning("process exited; restarting", metadata: [
                "process.name": "\(exit.name)",
                "process.status": "\(exit.status)",
                "process.reason": "\(exit.reason == .uncaughtSignal ? "signal" : "exit")",
                "process.restart_in": "\(delay)",
            ])
            Task {
                try? await Task.sleep(for: delay)
                self.restart(child)
            }
        }
    }

    private func restart(_ child: ChildSpec) {
        guard !stopping, running[child.name] == nil else { return }
        do {
            try start(child)
        } catch {
            logger.error("restart failed", metadata: ["process.name": "\(child.name)", "error": "\(error)"])
            exitContinuation.yield((child.name, -1, .exit))
        }
    }

    private func start(_ child: ChildSpec) throws {
        let process = Process()
        process.executableURL = child.executable
        process.arguments = child.arguments
        var environment = ProcessInfo.processInfo.environment.merging(child.environment) { _, new in new }
        environment["ECORESUPPLY_SUPERVISOR_PID"] = "\(getpid())"
        process.environment = environment
        let continuation = exitContinuation
        let name = child.name
        process.terminationHandler = { process in
            continuation.yield((name, process.terminationStatus, process.terminationReason))
        }
        try process.run()
        running[child.name] = process
        startedAt[child.name] = .now
        logger.info("process started", metadata: ["process.name": "\(child.name)", "process.pid": "\(process.processIdentifier)"])
    }

    /// The process id of each running child, by name (the benchmarks read their CPU time).
    func processIDs() -> [String: Int32] {
        running.mapValues(\.processIdentifier)
    }

    private func stopAll() async {
        stopping = true
        logger.info("stopping all processes", metadata: ["process.count": "\(running.count)"])
        if running.isEmpty {
            exitContinuation.finish()
            return
        }
        // Services first, the forwarder last, so nobody loses the bus while draining.
        let forwarderName = children.first?.name
        for (name, process) in running where name != forwarderName { process.terminate() }
        let deadline = ContinuousClock.now + stopTimeout
        while running.keys.contains(where: { $0 != forwarderName }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if let forwarderName, let forwarder = running[forwarderName] { forwarder.terminate() }
        while !running.isEmpty, ContinuousClock.now < deadline + .seconds(2) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for (name, process) in running {
            logger.warning("process did not stop in time; killing it", metadata: ["process.name": "\(name)"])
            kill(process.processIdentifier, SIGKILL)
        }
        exitContinuation.finish()
    }
}
