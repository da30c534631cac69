import EcoConfig
import Foundation
import GRDB
import Testing

/// Online backup and restore over the real processes (`ecoresupply backup`, `ecoresupply restore`,
/// docs/operations.md): a backup taken while people use the deployment restores into a deployment
/// that has everything that was answered before it, and in which no consumer is ahead of its producer.
@Suite("Backup and restore", .serialized)
struct BackupRestoreTests {
    static func ecoresupply(_ deployment: TestDeployment, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process(), output = Pipe()
        process.executableURL = deployment.binaries.appendingPathComponent("ecoresupply")
        process.arguments = arguments + [
            "--data-dir", deployment.dataDirectory.path, "--bus-port", "\(deployment.topology.busPort)", "--matchers", "\(deployment.matchers)",
        ]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("a backup taken under load restores to a deployment with every answered lot, reservation and report, no consumer ahead of its producer")
    func backupUnderLoadRestores() async throws {
        let deployment = try await TestDeployment.make(matchers: 2)
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "backup-bakery@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "backup-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Avant la sauvegarde", startIn: -600), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String, "\(lot.text)")
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken)
        let reservationID = try #require((try reserved.json()["reservation"] as? [String: Any])?["id"] as? String, "\(reserved.text)")

        // Reports keep coming while the backup runs; each answered one before it must come back.
        let stop = ChaosStop()
        let filing = Task { () -> (filed: [(id: String, answeredAt: ContinuousClock.Instant)], refused: [String]) in
            var filed: [(String, ContinuousClock.Instant)] = [], refused: [String] = []
            var count = 0
            while !stop.stopped {
                count += 1
                let body = ReportsTests.report(["latitude": 43.27 + Double(count) * 0.002, "description": "Pendant la sauvegarde \(count)", "contact": NSNull()])
                let reply = try? await HTTP.send("POST", "\(base)/v1/reports", json: body, token: customer.accessToken)
                if let reply, reply.status == 201, let id = (try? reply.json()["report"] as? [String: Any])?["id"] as? String {
                    filed.append((id, .now))
                } else {
                    refused.append(reply.map { "\($0.status) \($0.text.prefix(120))" } ?? "no answer")
                    try? await Task.sleep(for: .milliseconds(100))  // do not spin on a failure
                }
            }
            return (filed, refused)
        }
        _ = try await eventually("a few reports filed under load") { () -> Bool? in
            try await HTTP.get("\(base)/v1/reports?limit=5").json()["items"].map { ($0 as? [Any])?.count ?? 0 >= 3 } == true ? true : nil
        }
        let folder = deployment.root.appendingPathComponent("backup-1")
        let backupStarted = ContinuousClock.now
        let backup = try Self.ecoresupply(deployment, ["backup", "--to", folder.path])
        stop.stop()
        let (filed, refused) = await filing.value
        #expect(backup.status == 0, "\(backup.output)")
        #expect(refused.isEmpty, "writes wait for the backup, none fails: \(refused)")
        #expect(backup.output.contains("backed up 7 stores"), "\(backup.output)")
        let before = filed.filter { $0.answeredAt < backupStarted }.map(\.id)
        #expect(!before.isEmpty)

        // Restoring under a running deployment is refused.
        let underRunning = try Self.ecoresupply(deployment, ["restore", "--from", folder.path, "--replace"])
        #expect(underRunning.status != 0 && underRunning.output.contains("is running"), "\(underRunning.output)")

        _ = deployment.stopAll()
        for name in try FileManager.default.contentsOfDirectory(atPath: deployment.dataDirectory.path) {
            try FileManager.default.removeItem(at: deployment.dataDirectory.appendingPathComponent(name))
        }
        let restored = try Self.ecoresupply(deployment, ["restore", "--from", folder.path])
        #expect(restored.status == 0, "\(restored.output)")

        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let again = try await HTTPSession.logIn(base, "backup-customer@example.org")
        #expect(try await HTTP.get("\(base)/v1/reservations/\(reservationID)", token: again.accessToken).status == 200)
        #expect(try await HTTP.get("\(base)/v1/lots/\(lotID)").status == 200)
        for id in before { #expect(try await HTTP.get("\(base)/v1/reports/\(id)").status == 200, "report \(id), answered before the backup") }
        let audit = ChaosAudit(deployment: deployment)
        _ = try await eventually("every consumer to reach every producer after the restore", timeout: .seconds(60), interval: .milliseconds(250)) { () -> Bool? in
            try audit.lagging().isEmpty ? true : nil
        }
        // The restored deployment goes on: a new lot is published and seen by its matcher.
        let after = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Après la restauration", startIn: -600), token: merchant.accessToken)
        let afterID = try #require(try after.json()["id"] as? String, "\(after.text)")
        #expect(try await HTTP.send("POST", "\(base)/v1/lots/\(afterID)/reservations", json: ["baskets": 1], token: again.accessToken).status == 201)
        _ = deployment.stopAll()

        // A backup whose stores were not copied at one moment is refused: here notifications has
        // applied an ingest event that ingest's copy lacks.
        let tampered = deployment.root.appendingPathComponent("backup-tampered")
        try FileManager.default.copyItem(at: folder, to: tampered)
        let copy = try DatabaseQueue(path: tampered.appendingPathComponent("notifications.sqlite").path)
        try await copy.write { db in try db.execute(sql: "UPDATE bus_offsets SET sequence = sequence + 5 WHERE producer = 'ingest'") }
        try copy.close()
        let untouched = try FileManager.default.contentsOfDirectory(atPath: deployment.dataDirectory.path).sorted()
        let inconsistent = try Self.ecoresupply(deployment, ["restore", "--from", tampered.path, "--replace"])
        #expect(inconsistent.status != 0 && inconsistent.output.contains("notifications ← ingest"), "\(inconsistent.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: deployment.dataDirectory.path).sorted() == untouched, "refused before anything changed")

        // Bad input names what is wrong: a manifest that is not one, a --to that is a file.
        try Data(#"{"x":1}"#.utf8).write(to: tampered.appendingPathComponent("backup.json"))
        let notManifest = try Self.ecoresupply(deployment, ["restore", "--from", tampered.path, "--replace"])
        #expect(notManifest.status != 0 && notManifest.output.contains("is not a backup manifest"), "\(notManifest.output)")
        let file = deployment.root.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let toFile = try Self.ecoresupply(deployment, ["backup", "--to", file.path])
        #expect(toFile.status != 0 && toFile.output.contains("is not an empty folder"), "\(toFile.output)")
    }
}
