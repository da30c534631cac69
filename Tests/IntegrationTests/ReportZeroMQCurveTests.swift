import EcoConfig
import Foundation
import Testing
import EcoBus
import ZeroMQ

/// The reference municipal subscriber (pyzmq, Fixtures/report_subscriber.py) on a bus that runs CURVE:
/// with the key `ecoresupply keys add-subscriber` made it gets every report event once, live and by
/// replay from ingest's ROUTER; with no key, or a key nobody added, it hears nothing at all.
@Suite("Citizen reports over ZeroMQ with CURVE keys", .serialized)
struct ReportZeroMQCurveTests {
    @Test("a pyzmq subscriber with its subscriber key gets each report event once; without a key or with an unknown one it gets nothing")
    func curveSubscriber() async throws {
        let deployment = try await TestDeployment.make()
        let keys = deployment.root.appendingPathComponent("bus-keys", isDirectory: true)
        _ = try SecureBusTests.command(deployment, ["keys", "init", "--bus-keys", keys.path])
        _ = try SecureBusTests.command(deployment, ["keys", "add-subscriber", "city", "--prefix", "report.", "--bus-keys", keys.path])
        deployment.busKeys = keys
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let xpub = deployment.topology.subscribeEndpoint
        let publicKeys = keys.appendingPathComponent("public.json").path

        // Filed before any subscriber runs: the keyed one gets them by replay.
        let reports = ReportFiler(base: base)
        _ = try await reports.file()
        _ = try await reports.file(category: "overflowing_bin")

        let stranger = try ZMQCurveKeyPair.generate()
        let strangerFile = deployment.root.appendingPathComponent("stranger.key")
        try JSONSerialization.data(withJSONObject: ["publicKey": stranger.publicKey, "secretKey": stranger.secretKey]).write(to: strangerFile)
        func subscriber(_ name: String, _ extra: [String]) throws -> ReportZeroMQStreamTests.Subscriber {
            try ReportZeroMQStreamTests.Subscriber(
                xpub: xpub, state: deployment.root.appendingPathComponent(name), log: deployment.root.appendingPathComponent("\(name).log"), extra: extra)
        }
        let keyless = try subscriber("keyless", [])
        defer { keyless.kill() }
        let unknown = try subscriber("unknown", ["--key", strangerFile.path, "--public-keys", publicKeys])
        defer { unknown.kill() }
        let city = try subscriber("city", ["--key", keys.appendingPathComponent("subscribers/city.key").path, "--public-keys", publicKeys])
        defer { city.kill() }
        try await city.awaitReady()

        _ = try await reports.file()
        try await reports.support(3)
        let state = deployment.root.appendingPathComponent("city")
        try await ReportZeroMQStreamTests.expectHolds(state, try await ReportZeroMQStreamTests.outboxReports(deployment), "over CURVE", subscriber: city)

        // By now the keyed subscriber had heartbeats, a replay and live events; the others, started
        // first, had none of it.
        for (name, refused) in [("keyless", keyless), ("unknown", unknown)] {
            try refused.checkRunning()
            #expect(try ReportZeroMQStreamTests.received(deployment.root.appendingPathComponent(name)).isEmpty, "\(name) received reports")
            #expect(!refused.fixture.output.lines.contains("ready"), "\(name) caught up with a bus it may not read")
        }
        #expect(deployment.fullLog("forwarder").contains(stranger.publicKey), "the unknown key is refused, and logged")

        // Asked directly, ingest's ROUTER answers the city's key and never the stranger's.
        func replay(as keys: ZMQCurveKeyPair) throws -> [Data]? {
            let dealer = try ZMQSocket(.dealer)
            defer { dealer.close() }
            try dealer.makeCurveClient(keys, serverKey: try #require(publicServices()[ServiceInstance(.ingest).name]))
            try dealer.connect(deployment.endpoint(ServiceInstance(.ingest)))
            try dealer.send([RequestProtocol.encodeID(1), Data(BusRequestKind.replay.utf8), try EventCodec.encoder.encode(ReplayRequest(from: 1, prefixes: ["report."]))])
            return try dealer.receive(timeoutMilliseconds: 2_000)
        }
        func publicServices() throws -> [String: String] {
            struct PublicFile: Decodable { var services: [String: String] }
            return try JSONDecoder().decode(PublicFile.self, from: Data(contentsOf: URL(fileURLWithPath: publicKeys))).services
        }
        struct Pair: Decodable { var publicKey: String; var secretKey: String }
        let cityPair = try JSONDecoder().decode(Pair.self, from: Data(contentsOf: keys.appendingPathComponent("subscribers/city.key")))
        #expect(try replay(as: ZMQCurveKeyPair(publicKey: cityPair.publicKey, secretKey: cityPair.secretKey)) != nil, "the city's key replays")
        // Two seconds without an answer, after the city's was answered at once: the stranger is refused.
        #expect(try replay(as: stranger) == nil, "an unknown key gets no reply")
        _ = try await eventually("ingest to log the refused key") { () -> Bool? in
            deployment.fullLog("ingest").contains(stranger.publicKey) ? true : nil
        }
        _ = deployment.stopAll()
    }
}
