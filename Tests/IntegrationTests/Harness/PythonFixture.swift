import Foundation

/// A Python client from `Fixtures/`, run with Debian's interpreter (which has python3-zmq, see
/// scripts/install-deps.sh): its stdout collected line by line, its stderr appended to a log.
final class PythonFixture {
    let process = Process()
    let output = OutputLines()
    let name: String
    let log: URL

    init(_ script: String, arguments: [String], log: URL) throws {
        self.name = script
        self.log = log
        var fixture = URL(fileURLWithPath: #filePath)
        fixture.deleteLastPathComponent()
        fixture.deleteLastPathComponent()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", fixture.appendingPathComponent("Fixtures/\(script)").path] + arguments
        process.standardOutput = output.pipe
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        try process.run()
    }

    /// Awaits a line on stdout; fails at once, with the end of the log, if the process exits first.
    func awaitLine(_ line: String, timeout: Duration = .seconds(30)) async throws {
        _ = try await eventually("\(name) to print \(line)", timeout: timeout) {
            if output.lines.contains(line) { return true }
            try checkRunning()
            return nil
        }
    }

    func checkRunning() throws {
        guard !process.isRunning else { return }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw HarnessError.exited("\(name) (status \(process.terminationStatus))", text.split(separator: "\n").suffix(30).joined(separator: "\n"))
    }

    /// Awaits the process's own exit.
    func awaitExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        _ = try await eventually("\(name) to exit", timeout: timeout) { process.isRunning ? nil : true }
        return process.terminationStatus
    }

    /// Sends SIGKILL and waits for the process to end.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
