import Foundation

/// Runs Debian's `wrk` and reads its summary: requests per second, latency percentiles, errors.
struct Wrk {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "wrk is missing: scripts/install-deps.sh installs it (apt install wrk)" }
    }

    struct Result {
        let requestsPerSecond: Double
        let p50Milliseconds: Double
        let p99Milliseconds: Double
        let requests: Int
        /// Answers outside 2xx and 3xx, and socket errors.
        let failures: Int
    }

    let executable: URL
    let threads: Int
    let connections: Int
    let seconds: Int

    init(threads: Int, connections: Int, seconds: Int) throws {
        guard let path = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)) else { throw Missing() }
        executable = URL(fileURLWithPath: path)
        self.threads = threads
        self.connections = connections
        self.seconds = seconds
    }

    /// One run against `url`, with a Lua `script` when the requests are not plain GETs.
    func run(_ url: String, script: String? = nil) throws -> Result {
        var arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency"]
        var scriptFile: URL?
        if let script {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("wrk-\(UUID().uuidString).lua")
            try Data(script.utf8).write(to: file)
            scriptFile = file
            arguments += ["-s", file.path]
        }
        defer { scriptFile.map { try? FileManager.default.removeItem(at: $0) } }
        let process = Process(), output = Pipe()
        process.executableURL = executable
        process.arguments = arguments + [url]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = Self.parse(text) else {
            throw BenchFailure(description: "wrk failed on \(url):\n\(text)")
        }
        return result
    }

    /// Reads wrk's report (`Requests/sec:`, the `--latency` distribution, `Non-2xx` and socket errors).
    static func parse(_ text: String) -> Result? {
        var rate: Double?, p50: Double?, p99: Double?, requests = 0, failures = 0
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), fields.count == 2 { rate = Double(fields[1]) }
            if fields.count == 2, fields[0] == "50%" { p50 = milliseconds(fields[1]) }
            if fields.count == 2, fields[0] == "99%" { p99 = milliseconds(fields[1]) }
            if fields.count > 2, fields[1] == "requests", fields[2] == "in" { requests = Int(fields[0]) ?? 0 }
            if line.hasPrefix("Non-2xx or 3xx responses:") { failures += Int(fields.last ?? "") ?? 0 }
            if line.hasPrefix("Socket errors:") {
                // "Socket errors: connect 0, read 0, write 0, timeout 12"
                failures += line.split(separator: ",").compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
            }
        }
        guard let rate, let p50, let p99 else { return nil }
        return Result(requestsPerSecond: rate, p50Milliseconds: p50, p99Milliseconds: p99, requests: requests, failures: failures)
    }

    /// wrk's durations: `812.00us`, `1.10ms`, `2.01s`.
    static func milliseconds(_ text: String) -> Double? {
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}

/// A benchmark that could not run, with why.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}
