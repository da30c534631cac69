import Foundation

/// One real OS process of a test deployment, with its output in a log file.
final class ServiceProcess: @unchecked Sendable {
    // Only the test task that owns the deployment touches this object; @unchecked because
    // Foundation's Process is not Sendable.
    let name: String
    let process: Process
    let logURL: URL

    init(name: String, executable: URL, arguments: [String], logURL: URL, environment: [String: String] = [:]) throws {
        self.name = name
        self.logURL = logURL
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Sends `signal` and returns at once.
    func send(signal: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// Sends `signal` and waits for the process to end.
    /// Sends `signal` and waits for the exit; a process still running after `grace` gets SIGKILL, so a
    /// stuck shutdown fails its test (exit status 9) instead of hanging the run.
    func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(20)) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The end of the process's log, for failure messages.
    func logTail(lines: Int = 30) -> String {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
