import Foundation
import Testing

/// The fuzzers' committed corpora and every finding (`Tests/Fuzz/Regressions`) replayed through the
/// ordinary build of `fuzz`, so a parser change that breaks on any of them fails the suite, not only
/// the nightly fuzzing (docs/reliability.md).
@Suite("Fuzz corpora replay")
struct FuzzCorpusTests {
    static let targets = ["bus-frame", "replay-request", "ler-code", "open311-form", "territory-geojson", "pickup-token"]

    static var fuzzFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")
    }

    @Test("each target's corpus and regressions run through its parser without breaking a property", arguments: targets)
    func replay(_ target: String) throws {
        let corpus = Self.fuzzFolder.appendingPathComponent("Corpus/\(target)")
        let regressions = Self.fuzzFolder.appendingPathComponent("Regressions/\(target)")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus.path).count
            + ((try? FileManager.default.contentsOfDirectory(atPath: regressions.path).count) ?? 0)
        #expect(inputs > 1, "the corpus of \(target) holds its seeds and what fuzzing found")
        let run = try Self.fuzz([target, corpus.path] + (FileManager.default.fileExists(atPath: regressions.path) ? [regressions.path] : []))
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("replayed \(inputs) inputs"), "\(run.output)")
    }

    @Test("an unknown target is refused with the list of targets, and exit status 64")
    func unknownTarget() throws {
        let run = try Self.fuzz(["no-such-target"])
        #expect(run.status == 64)
        #expect(Self.targets.allSatisfy { run.output.contains($0) }, "\(run.output)")
    }

    static func fuzz(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = TestDeployment.binaryDirectory().appendingPathComponent("fuzz")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
