import EcoBus
import Foundation
import Testing
import ZeroMQ

@Suite("Bus key directories: one pair per process, mode 0600, and everyone's public keys")
struct BusKeyDirectoryTests {
    func directory() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("bus-keys-\(UUID().uuidString.prefix(8))") }

    @Test("generate makes what is missing, keeps what is there, and load reads a process's keyring")
    func generateAndLoad() throws {
        let keys = directory()
        defer { try? FileManager.default.removeItem(at: keys) }
        let names = BusKeyDirectory.names(instances: ["gateway", "ingest", "matcher-0"])
        #expect(names == ["forwarder", "gateway", "ingest", "matcher-0", "cli"])
        #expect(try BusKeyDirectory.generate(in: keys, names: names) == names)
        let gateway = try BusKeyDirectory.load(from: keys, name: "gateway")
        #expect(try BusKeyDirectory.generate(in: keys, names: names + ["matcher-1"]) == ["matcher-1"], "existing keys stay")
        let again = try BusKeyDirectory.load(from: keys, name: "gateway")
        #expect(again.own == gateway.own && again.services.count == 6)
        let strangerKey = try ZMQCurveKeyPair.generate().publicKey
        #expect(again.identity(of: again.services["ingest"]!) == "ingest" && again.identity(of: strangerKey) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: keys.appendingPathComponent("gateway.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOf: keys.appendingPathComponent(BusKeyDirectory.publicFile), encoding: .utf8)
        #expect(!text.contains(gateway.own.secretKey), "public.json holds no secret")
    }

    @Test("a missing key, a key file others may read, and a bad key are refused, naming the file")
    func refusals() throws {
        let keys = directory()
        defer { try? FileManager.default.removeItem(at: keys) }
        try BusKeyDirectory.generate(in: keys, names: ["forwarder", "gateway"])
        #expect(throws: BusKeyError.self) { try BusKeyDirectory.load(from: keys, name: "ingest") }
        let file = keys.appendingPathComponent("gateway.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        do {
            _ = try BusKeyDirectory.load(from: keys, name: "gateway")
            Issue.record("a key file others may read was accepted")
        } catch {
            #expect(error.path == file.path && error.reason.contains("chmod 600"), "\(error)")
        }
        try Data(#"{"publicKey":"short","secretKey":"short"}"#.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(throws: BusKeyError.self) { try BusKeyDirectory.load(from: keys, name: "gateway") }
    }
}
