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

    @Test("subscriber keys: limited to their prefixes and heartbeats, listed, revoked; a registry sees changes without a restart")
    func subscribers() throws {
        let keys = directory()
        defer { try? FileManager.default.removeItem(at: keys) }
        try BusKeyDirectory.generate(in: keys, names: ["forwarder", "cli"])
        let registry = try BusKeyRegistry(directory: keys, name: "forwarder")
        #expect(registry.current.subscribers.isEmpty)
        let file = try BusKeyDirectory.addSubscriber("city", prefixes: ["report."], in: keys)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: BusKeyError.self) { try BusKeyDirectory.addSubscriber("city", prefixes: ["report."], in: keys) }
        #expect(throws: BusKeyError.self) { try BusKeyDirectory.addSubscriber("Bad Name", prefixes: ["report."], in: keys) }
        #expect(throws: BusKeyError.self) { try BusKeyDirectory.addSubscriber("nothing", prefixes: [], in: keys) }
        // The registry reads public.json again when it changes (its modification time moves on).
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: keys.appendingPathComponent("public.json").path)
        let city = try #require(registry.current.subscribers["city"])
        #expect(registry.current.subscriberIdentity(of: city.publicKey) == "subscriber:city")
        #expect(city.allows(subscription: "report.") && city.allows(subscription: "report.filed") && city.allows(subscription: "bus.heartbeat"))
        #expect(!city.allows(subscription: "") && !city.allows(subscription: "lot.") && !city.allows(subscription: "rep"))
        try BusKeyDirectory.revokeSubscriber("city", in: keys)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: keys.appendingPathComponent("public.json").path)
        #expect(registry.current.subscriberIdentity(of: city.publicKey) == nil, "a revoked key gets no identity")
        #expect(try BusKeyDirectory.generate(in: keys, names: ["forwarder", "cli", "gateway"]) == ["gateway"])
        #expect(try BusKeyDirectory.subscribers(in: keys)["city"]?.revoked == true, "making process keys keeps the subscribers")
    }
}
