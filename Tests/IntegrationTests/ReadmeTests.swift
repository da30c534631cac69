import Foundation
import Testing

/// The README's "Using it" blocks, run as pasted against a real deployment, twice in a row.
@Suite("The README's stories run as written", .serialized)
struct ReadmeTests {
    static func readme() throws -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // ReadmeTests.swift, IntegrationTests, Tests
        return try String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)
    }

    @Test("every shell block of \"Using it\" succeeds twice in a row, prints no error and no null, and does what it says")
    func usingIt() async throws {
        let blocks = ShellBlock.blocks(ofSection: "Using it", in: try Self.readme())
        #expect(blocks.count == 3, "the food, materials and report stories: \(blocks.map(\.heading))")
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        for round in 1...2 {
            for block in blocks {
                let run = try await block.run(in: deployment.root, environment: ["API": base], timeout: .seconds(90))
                let shown = "round \(round), block after \"\(block.heading)\":\n\(run.output.joined(separator: "\n"))\n\(run.errors)"
                #expect(run.status == 0, "\(shown)")
                #expect(!run.output.isEmpty, "\(shown)")
                #expect(!run.output.contains { $0 == "null" || $0.contains("null,") || $0.contains(":null") || $0.contains("\"error\"") }, "\(shown)")
            }
        }
        // What the blocks said they did, twice: two pickups, two materials handovers, one report and its support.
        let kpis = try await eventually("reporting to count both rounds") { () -> [String: Any]? in
            let json = try await HTTP.get("\(base)/v1/kpis").json()
            let operations = (json["materials"] as? [String: Any])?["operations"] as? Int
            return json["pickups"] as? Int == 2 && operations == 2 ? json : nil
        }
        #expect((kpis["totals"] as? [String: Any])?["co2eAvoidedKg"] as? Double ?? 0 > 0)
        let reports = try await HTTP.get("\(base)/v1/reports?category=illegal_dumping").json()["items"] as? [[String: Any]] ?? []
        #expect(reports.count == 1 && reports.first?["supporters"] as? Int == 1, "the second filing supports the first: \(reports)")
        #expect(FileManager.default.fileExists(atPath: deployment.root.appendingPathComponent("qr.png").path))
        _ = deployment.stopAll()
    }
}
