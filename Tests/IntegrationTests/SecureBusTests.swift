import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Testing
import ZeroMQ

/// A deployment whose bus runs CURVE (issue 14): every process has its own key, and a process
/// whose key the deployment does not know can neither publish, nor subscribe, nor ask a ROUTER.
@Suite("The bus with CURVE keys", .serialized)
struct SecureBusTests {
    /// A pickup the KPIs would count, claimed by a process that is not the pickup validator.
    static func forgedPickup(id: String, source: String = ServiceInstance(.pickupValidator).name) throws -> [Data] {
        let forged = PickupCompleted(
            reservationId: "forged-\(id)", lotId: "lot", takerId: "taker", merchantId: "shop", validatedBy: "shop", baskets: 1,
            meals: 100_000, weightKg: 1, valueSavedCents: 0, isFree: false, completedAt: Date())
        let event = CloudEvent(id: "forged-\(id)", source: source, type: PickupCompleted.topic, sequence: 1_000_000, data: forged)
        return [Data(PickupCompleted.topic.utf8), try CloudEventWriter.encode(event)]
    }

    @Test("the deployment's processes work over CURVE; an unknown key, or none, cannot publish, subscribe or ask; a service publishes only its own topics under its own name; the KPIs do not move")
    func onlyTheDeploymentsKeys() async throws {
        let deployment = try await TestDeployment.make()
        let keys = deployment.root.appendingPathComponent("bus-keys", isDirectory: true)
        // The operator's way: `ecoresupply keys init`, which keeps existing keys when run again.
        func keysInit() throws -> String {
            let process = Process(), output = Pipe()
            process.executableURL = deployment.binaries.appendingPathComponent("ecoresupply")
            process.arguments = ["keys", "init", "--bus-keys", keys.path, "--matchers", "\(deployment.matchers)"]
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        #expect(try keysInit().contains("made 8 key pairs"))
        #expect(try keysInit().contains("every key was there"))
        deployment.busKeys = keys
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let cli = try BusKeyDirectory.load(from: keys, name: BusKeyDirectory.cliName)
        let forwarderKey = try #require(cli.services[BusKeyDirectory.forwarderName])
        let stranger = try ZMQCurveKeyPair.generate()

        // Listeners: one with the command line's key, one with a stranger's, one with none.
        let trusted = try ZMQSocket(.sub), unknown = try ZMQSocket(.sub), plain = try ZMQSocket(.sub)
        defer { trusted.close(); unknown.close(); plain.close() }
        try trusted.makeCurveClient(cli.own, serverKey: forwarderKey)
        try unknown.makeCurveClient(stranger, serverKey: forwarderKey)
        for socket in [trusted, unknown, plain] {
            try socket.subscribe(PickupCompleted.topic)
            try socket.connect(deployment.topology.subscribeEndpoint)
        }
        // Forgers: a stranger's key (it knows the forwarder's public key, which is public) and no key.
        let forgerWithKey = try ZMQSocket(.pub), forgerPlain = try ZMQSocket(.pub)
        defer { forgerWithKey.close(); forgerPlain.close() }
        try forgerWithKey.makeCurveClient(stranger, serverKey: forwarderKey)
        try forgerWithKey.connect(deployment.topology.publishEndpoint)
        try forgerPlain.connect(deployment.topology.publishEndpoint)
        // And one of the deployment's own services (reporting's key, as if that process were taken
        // over): it may publish, but only its own topics under its own name.
        let reportingKeys = try BusKeyDirectory.load(from: keys, name: ServiceInstance(.reporting).name)
        let insider = try ZMQSocket(.pub)
        defer { insider.close() }
        try insider.makeCurveClient(reportingKeys.own, serverKey: forwarderKey)
        try insider.connect(deployment.topology.publishEndpoint)

        // A real pickup, over the keyed bus end to end; the forgers publish around it.
        let merchant = try await HTTPSession.signUp(base, "secure-shop@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "secure-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Keyed lot", startIn: -60), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String, "\(lot.text)")
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken)
        #expect(reserved.status == 201, "\(reserved.text)")
        for round in 0..<20 {
            _ = try forgerWithKey.send(try Self.forgedPickup(id: "key-\(round)"), dontWait: true)
            _ = try forgerPlain.send(try Self.forgedPickup(id: "plain-\(round)"), dontWait: true)
            _ = try insider.send(try Self.forgedPickup(id: "insider-\(round)"), dontWait: true)
            _ = try insider.send(try Self.forgedPickup(id: "own-name-\(round)", source: ServiceInstance(.reporting).name), dontWait: true)
        }
        let code = try #require(try reserved.json()["pickupCode"] as? [String: Any])
        let validated = try await eventually("the pickup to validate") { () -> HTTP.Reply? in
            let reply = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": code["token"] ?? "", "pin": code["pin"] ?? ""], token: merchant.accessToken)
            return reply.errorCode == "unknown_reservation" ? nil : reply
        }
        #expect(validated.status == 200, "\(validated.text)")

        // The trusted listener gets the real pickup and none of the forged ones.
        var seen: [String] = []
        let real = try await eventually("the real pickup.completed on the keyed bus") { () -> String? in
            while let frames = try trusted.receive(dontWait: true) {
                seen.append(String(decoding: frames.last ?? Data(), as: UTF8.self))
            }
            return seen.first { !$0.contains("forged-") }
        }
        #expect(real.contains("\"meals\":2"), "\(real)")
        #expect(!seen.contains { $0.contains("forged-") }, "no forged event got through: \(seen.filter { $0.contains("forged-") }.count)")
        #expect(try unknown.receive(dontWait: true) == nil && (try plain.receive(dontWait: true)) == nil, "unknown and keyless listeners hear nothing")
        let kpis = try await eventually("reporting to count the real pickup") { () -> [String: Any]? in
            let json = try await HTTP.get("\(base)/v1/kpis").json()
            return json["pickups"] as? Int == 1 ? json : nil
        }
        #expect(kpis["mealsSaved"] as? Double == 2, "the forged 100,000 meals are not counted: \(kpis)")

        // A ROUTER answers the deployment's keys only.
        let ingest = deployment.endpoint(ServiceInstance(.ingest))
        let ingestKey = try #require(cli.services[ServiceInstance(.ingest).name])
        let asker = try ZMQSocket(.dealer), intruder = try ZMQSocket(.dealer)
        defer { asker.close(); intruder.close() }
        try asker.makeCurveClient(cli.own, serverKey: ingestKey)
        try intruder.makeCurveClient(stranger, serverKey: ingestKey)
        for socket in [asker, intruder] {
            try socket.connect(ingest)
            try socket.send([RequestProtocol.encodeID(7), Data(BusRequestKind.ping.utf8)])
        }
        let pong = try #require(try asker.receive(timeoutMilliseconds: 5_000), "the command line's key is answered")
        #expect(pong.contains(Data("ingest".utf8)), "\(pong.map { String(decoding: $0, as: UTF8.self) })")
        _ = try await eventually("ingest to log the refused key") { deployment.fullLog("ingest").contains("bus connection refused") ? true : nil }
        #expect(try intruder.receive(timeoutMilliseconds: 300) == nil, "a stranger's key is not answered")
        #expect(deployment.fullLog("forwarder").contains("bus connection refused"), "the forwarder names the refused connections")
        #expect(deployment.fullLog("forwarder").contains("bus event dropped: not the sender's to publish"), "and the events a service may not publish")

        // Some kinds are kept to their callers (`RequestCallers`): a service's key cannot unlock codes
        // nor read a delivery code; the command line's key can unlock (here a reservation nobody knows).
        let validator = deployment.endpoint(ServiceInstance(.pickupValidator))
        let validatorKey = try #require(cli.services[ServiceInstance(.pickupValidator).name])
        let operatorLine = try ZMQSocket(.dealer), takenOver = try ZMQSocket(.dealer)
        defer { operatorLine.close(); takenOver.close() }
        try operatorLine.makeCurveClient(cli.own, serverKey: validatorKey)
        try takenOver.makeCurveClient(reportingKeys.own, serverKey: validatorKey)
        for socket in [operatorLine, takenOver] { try socket.connect(validator) }
        func ask(_ socket: ZMQSocket, _ id: UInt64, _ kind: String, _ body: some Encodable) throws -> [String] {
            try socket.send([RequestProtocol.encodeID(id), Data(kind.utf8), try EventCodec.encoder.encode(body)])
            return try #require(try socket.receive(timeoutMilliseconds: 5_000), "\(kind) answered").map { String(decoding: $0, as: UTF8.self) }
        }
        let unlock = PickupRequests.UnlockCodes(reservationId: "nobody", reason: "checked")
        let byService = try ask(takenOver, 1, PickupRequests.unlockCodes, unlock)
        #expect(byService[1] == "error" && byService[2].contains("only the operator's command line may ask"), "\(byService)")
        let codeByService = try ask(takenOver, 2, PickupRequests.deliveryCode, PickupRequests.DeliveryCodeQuery(reservationId: "r"))
        #expect(codeByService[1] == "error" && codeByService[2].contains("only the matcher service may ask"), "\(codeByService)")
        let byOperator = try ask(operatorLine, 3, PickupRequests.unlockCodes, unlock)
        #expect(byOperator[1] == "error" && byOperator[2].contains("no pickup code or delivery code is known"), "admitted, then refused: \(byOperator)")
        _ = deployment.stopAll()
    }

    /// Runs `ecoresupply` with `arguments` and returns what it printed; expects success.
    static func command(_ deployment: TestDeployment, _ arguments: [String]) throws -> String {
        let process = Process(), output = Pipe()
        process.executableURL = deployment.binaries.appendingPathComponent("ecoresupply")
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ecoresupply \(arguments.joined(separator: " "))")
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Drains what a SUB socket received so far, as "topic event" lines.
    static func drain(_ socket: ZMQSocket) throws -> [String] {
        var lines: [String] = []
        while let frames = try socket.receive(dontWait: true) {
            lines.append(frames.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " "))
        }
        return lines
    }

    @Test("a subscriber key reads and replays only its prefixes, asks a ROUTER nothing else, cannot publish, and once revoked is refused from its next connection")
    func subscriberKeys() async throws {
        let deployment = try await TestDeployment.make()
        let keys = deployment.root.appendingPathComponent("bus-keys", isDirectory: true)
        _ = try Self.command(deployment, ["keys", "init", "--bus-keys", keys.path])
        let added = try Self.command(deployment, ["keys", "add-subscriber", "city-of-marseille", "--prefix", "report.", "--bus-keys", keys.path])
        #expect(added.contains("may read report."), "\(added)")
        deployment.busKeys = keys
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        struct Pair: Decodable { var publicKey: String; var secretKey: String }
        let pair = try JSONDecoder().decode(Pair.self, from: Data(contentsOf: keys.appendingPathComponent("subscribers/city-of-marseille.key")))
        let city = ZMQCurveKeyPair(publicKey: pair.publicKey, secretKey: pair.secretKey)
        let cli = try BusKeyDirectory.load(from: keys, name: BusKeyDirectory.cliName)
        let forwarderKey = try #require(cli.services[BusKeyDirectory.forwarderName])
        #expect(try Self.command(deployment, ["keys", "list", "--bus-keys", keys.path]).contains("subscriber  city-of-marseille"))

        func subscriber(_ keys: ZMQCurveKeyPair, to prefixes: [String]) throws -> ZMQSocket {
            let socket = try ZMQSocket(.sub)
            try socket.makeCurveClient(keys, serverKey: forwarderKey)
            for prefix in prefixes { try socket.subscribe(prefix) }
            try socket.connect(deployment.topology.subscribeEndpoint)
            return socket
        }
        let reports = try subscriber(city, to: ["report.", "bus.heartbeat"])
        let everything = try subscriber(city, to: [""])
        let trusted = try subscriber(cli.own, to: [""])
        defer { reports.close(); everything.close(); trusted.close() }
        // Heartbeats reach the city's key within a second or two: its subscriptions are in place.
        var seen: [String] = []
        _ = try await eventually("a heartbeat on the city's key") { () -> Bool? in
            seen += try Self.drain(reports)
            return seen.contains { $0.hasPrefix("bus.heartbeat ") } ? true : nil
        }
        // The city's key may not publish, not even a report.
        let forger = try ZMQSocket(.pub)
        defer { forger.close() }
        try forger.makeCurveClient(city, serverKey: forwarderKey)
        try forger.connect(deployment.topology.publishEndpoint)
        for round in 0..<10 { _ = try forger.send(try Self.forgedPickup(id: "city-\(round)"), dontWait: true) }

        let merchant = try await HTTPSession.signUp(base, "subscriber-shop@example.org", roles: ["merchant"])
        #expect(try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Not for the city"), token: merchant.accessToken).status == 201)
        let filed = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report())
        let reportID = try #require((try filed.json()["report"] as? [String: Any])?["id"] as? String, "\(filed.text)")
        let cityLines = try await eventually("the report on the city's key") { () -> [String]? in
            seen += try Self.drain(reports)
            return seen.contains { $0.hasPrefix("report.filed ") && $0.contains(reportID) } ? seen : nil
        }
        var trustedLines: [String] = []
        _ = try await eventually("the lot and the report on a process's key") { () -> Bool? in
            trustedLines += try Self.drain(trusted)
            return trustedLines.contains { $0.hasPrefix("lot.published ") } && trustedLines.contains { $0.contains(reportID) } ? true : nil
        }
        #expect(cityLines.allSatisfy { $0.hasPrefix("report.") || $0.hasPrefix("bus.heartbeat ") }, "\(cityLines.map { $0.prefix(40) })")
        #expect(try Self.drain(everything).isEmpty, "subscribing to everything is refused: the key reads its prefixes only")
        #expect(!trustedLines.contains { $0.contains("forged-city") }, "a subscriber key never publishes")
        #expect(deployment.fullLog("forwarder").contains("bus subscription refused"))

        // On ingest's ROUTER, the city's key replays its prefixes only, and asks nothing else.
        let ingestKey = try #require(cli.services[ServiceInstance(.ingest).name])
        let dealer = try ZMQSocket(.dealer)
        defer { dealer.close() }
        try dealer.makeCurveClient(city, serverKey: ingestKey)
        try dealer.connect(deployment.endpoint(ServiceInstance(.ingest)))
        func ask(_ id: UInt64, _ kind: String, _ body: [Data] = []) throws -> [Data] {
            try dealer.send([RequestProtocol.encodeID(id), Data(kind.utf8)] + body)
            return try #require(try dealer.receive(timeoutMilliseconds: 5_000), "\(kind) answered")
        }
        let everythingFromStart = try EventCodec.encoder.encode(ReplayRequest(from: 1))
        let replayed = try ask(1, BusRequestKind.replay, [everythingFromStart])
        #expect(String(decoding: replayed[1], as: UTF8.self) == "ok", "\(replayed.map { String(decoding: $0, as: UTF8.self) })")
        let replayedEvents = replayed.dropFirst(3).map { String(decoding: $0, as: UTF8.self) }
        #expect(replayedEvents.contains { $0.contains(reportID) }, "the report comes back")
        #expect(replayedEvents.allSatisfy { $0.contains("\"type\":\"report.") }, "and nothing but reports: \(replayedEvents.map { $0.prefix(120) })")
        let lots = try ask(2, BusRequestKind.replay, [try EventCodec.encoder.encode(ReplayRequest(from: 1, prefixes: ["lot."]))])
        #expect(String(decoding: lots[1], as: UTF8.self) == "error" && String(decoding: lots[2], as: UTF8.self).contains("forbidden"))
        let export = try ask(3, "privacy.export", [Data(#"{"accountId":"anyone"}"#.utf8)])
        #expect(String(decoding: export[1], as: UTF8.self) == "error" && String(decoding: export[2], as: UTF8.self).contains("forbidden"), "a subscriber key asks nothing else")
        #expect(String(decoding: try ask(4, BusRequestKind.ping)[1], as: UTF8.self) == "ok")

        // Revoked: the key's next connection is refused.
        #expect(try Self.command(deployment, ["keys", "revoke", "city-of-marseille", "--bus-keys", keys.path]).contains("revoked"))
        let afterRevoke = try subscriber(city, to: ["report.", "bus.heartbeat"])
        defer { afterRevoke.close() }
        _ = try await eventually("the forwarder to refuse the revoked key's subscription") { () -> Bool? in
            deployment.fullLog("forwarder").components(separatedBy: "\n").contains {
                $0.contains("bus connection refused") && $0.contains("bus.subscribe") && $0.contains(pair.publicKey)
            } ? true : nil
        }
        let second = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report(["category": "noise", "latitude": 43.5297, "longitude": 5.4474]))
        let secondID = try #require((try second.json()["report"] as? [String: Any])?["id"] as? String)
        _ = try await eventually("a process's key to see the second report") { () -> Bool? in
            trustedLines += try Self.drain(trusted)
            return trustedLines.contains { $0.contains(secondID) } ? true : nil
        }
        #expect(try Self.drain(afterRevoke).isEmpty, "the revoked key hears nothing on its new connection")
        _ = deployment.stopAll()
    }
}
