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
        // Both streams go to files, not pipes: a process that another test spawns at the same moment
        // can inherit a pipe's writing end and hold it open long after this block has exited.
        let name = "block-\(UUID().uuidString.prefix(8))"
        let output = directory.appendingPathComponent("\(name).stdout")
        let errors = directory.appendingPathComponent("\(name).stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-e", "-o", "pipefail", "-c", script]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: output)
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
        let printed = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        var lines = printed.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return Run(status: process.terminationStatus, output: lines, errors: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
