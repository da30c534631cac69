import Foundation
import Testing

/// `compose/generate.sh N` writes the compose file that runs N matcher workers.
@Suite("compose/generate.sh: one matcher entry per worker")
struct ComposeGeneratorTests {
    static func generate(_ arguments: [String]) throws -> (status: Int32, output: String) {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("compose/generate.sh").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("N workers: every service is told N, and workers 0 to N-1 each get their number")
    func workers() throws {
        let (status, text) = try Self.generate(["3"])
        #expect(status == 0)
        #expect(text.contains("ECORESUPPLY_MATCHERS: \"3\""))
        for worker in 0..<3 {
            #expect(text.contains("  matcher-\(worker):\n    <<: *service\n    command: [\"matcher\", \"--worker\", \"\(worker)\"]\n"))
        }
        #expect(!text.contains("matcher-3:"))
        for service in ["bus:", "gateway:", "ingest:", "reporting:", "notifications:", "pickup-validator:"] { #expect(text.contains(service)) }
    }

    @Test("every SQLite owner has its own volume and a bus health check; keys come read-only from their own volume")
    func shape() throws {
        let (_, text) = try Self.generate(["3"])
        for name in ["gateway", "ingest", "reporting", "notifications", "pickup-validator", "matcher-0", "matcher-1", "matcher-2"] {
            #expect(text.contains("volumes: [\"\(name)-data:/data\", \"bus-keys:/keys:ro\"]"), "\(name)'s own volume")
            #expect(text.contains("\"bus\", \"health\", \"--instance\", \"\(name)\"]"), "\(name)'s health check")
            #expect(text.contains("\n  \(name)-data: {}"), "\(name)'s volume is declared")
        }
        #expect(text.contains("ECORESUPPLY_PEER_HOSTS: \"*={name}\"") && !text.contains("network_mode"), "each process under its own name")
        #expect(!text.contains("SECRET") && !text.contains("--bus-keys\", \"/data"), "no key in the environment or a data volume")
    }

    @Test("a count that is not 1 to 64 is refused with usage")
    func badCount() throws {
        for bad in ["0", "65", "two", "-1"] {
            let (status, text) = try Self.generate([bad])
            #expect(status == 64 && text.contains("usage"), "\(bad)")
        }
    }

    @Test("the shipped compose file is the generator's output for 2 workers")
    func shipped() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let shipped = try String(contentsOf: root.appendingPathComponent("compose/docker-compose.yml"), encoding: .utf8)
        #expect(try Self.generate(["2"]).output == shipped)
    }
}
