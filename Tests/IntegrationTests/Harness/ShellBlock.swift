import Foundation

/// A shell block of the README, run with bash as a person would paste it (with `-e -o pipefail`
/// added, so that a failing command fails the block): its output, its status, killed at a deadline.
struct ShellBlock {
    let heading: String
    let script: String

    struct Run {
        let status: Int32
        let output: [String]
        let errors: String
    }

    /// The ```sh blocks of the README section titled `section` (a `## ` heading), in order.
    static func blocks(ofSection section: String, in readme: String) -> [ShellBlock] {
        var blocks: [ShellBlock] = [], inSection = false, current: [String]?, paragraph = ""
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("## ") { inSection = line == "## \(section)"; continue }
            guard inSection else { continue }
            if var lines = current {
                if line.hasPrefix("```") {
                    blocks.append(ShellBlock(heading: paragraph, script: lines.joined(separator: "\n")))
                    current = nil
                } else {
                    lines.append(line)
                    current = lines
                }
            } else if line == "```sh" {
                current = []
            } else if !line.isEmpty {
                paragraph = line
            }
        }
        return blocks
    }

    /// Runs the block in `directory` with `environment` added; kills it after `timeout`.
    func run(in directory: URL, environment: [String: String], timeout: Duration) async throws -> Run {
        let process = Process()
        let output = OutputLines()
        let errors = directory.appendingPathComponent("block-\(UUID().uuidString.prefix(8)).stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-e", "-o", "pipefail", "-c", script]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = output.pipe
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        do {
            _ = try await eventually("the README block after \"\(heading)\" to finish", timeout: timeout, interval: .milliseconds(100)) {
                process.isRunning ? nil : true
            }
        } catch {
            kill(-process.processIdentifier, SIGKILL)
            process.terminate()
            throw error
        }
        // Let the pipe's reader take the last bytes before the lines are read (its handler runs on a
        // dispatch queue, which a loaded machine can keep waiting for seconds).
        _ = try await eventually("the block's output to be read", timeout: .seconds(30)) { output.isClosed ? true : nil }
        return Run(status: process.terminationStatus, output: output.lines, errors: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
