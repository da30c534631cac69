import Foundation
import Testing

/// The compose files checked by Debian's docker-compose (`docker-compose config`, installed by
/// scripts/install-deps.sh): the committed one, one generated for 3 workers, and a broken one, which
/// must be refused, so that the check can fail.
@Suite("compose/: valid for docker-compose")
struct ComposeValidationTests {
    static var compose: URL {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("compose")
    }

    static func check(_ file: URL) throws -> (status: Int32, output: String) {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-compose")
        process.arguments = ["-f", file.path, "config", "-q"]
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A file next to the committed one, so that its relative build context resolves the same way.
    static func write(_ text: String) throws -> URL {
        let file = compose.appendingPathComponent(".validation-\(UUID().uuidString).yml")
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test("the committed compose file, and one generated for 3 workers, are valid; a broken one is refused")
    func validates() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-compose"), "scripts/install-deps.sh installs docker-compose")
        let committed = try Self.check(Self.compose.appendingPathComponent("docker-compose.yml"))
        #expect(committed.status == 0, "\(committed.output)")

        let (status, generated) = try ComposeGeneratorTests.generate(["3"])
        #expect(status == 0)
        let three = try Self.write(generated)
        defer { try? FileManager.default.removeItem(at: three) }
        let checked = try Self.check(three)
        #expect(checked.status == 0, "\(checked.output)")

        let broken = try Self.write(generated.replacingOccurrences(of: "restart: unless-stopped", with: "restart: [unless-stopped]"))
        defer { try? FileManager.default.removeItem(at: broken) }
        let refused = try Self.check(broken)
        #expect(refused.status != 0, "docker-compose must refuse a restart policy that is a list: \(refused.output)")
    }
}
