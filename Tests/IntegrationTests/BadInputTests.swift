import CZeroMQ
import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Testing
import ZeroMQ

/// Garbage on the bus never takes a service down and is never silently dropped.
@Suite("Bad bus input", .serialized)
struct BadInputTests {
    @Test("1,000 random byte strings sent to the bus leave every service running and are dead-lettered")
    func randomBytesAreDeadLettered() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        let instances = BusTopology.instances(matchers: 1)
        for instance in instances { try await deployment.awaitAnswering(instance) }

        var generator = SplitMix64(seed: 0xEC0)
        let garbage: [[Data]] = (0..<1000).map { index in
            let bytes = Data((0..<Int.random(in: 1...512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            // Half arrive as one frame, half behind a plausible topic frame.
            return index.isMultiple(of: 2) ? [bytes] : [Data("listing.published".utf8), bytes]
        }

        let publisher = try ZMQSocket(.pub)
        try publisher.setOption(ZMQ_SNDHWM, 100_000)
        try publisher.connect(deployment.topology.publishEndpoint)
        // The publisher sends only once the forwarder has passed it the services' subscriptions:
        // wait until a probe comes through to a subscriber of our own.
        let probe = try ZMQSocket(.sub)
        try probe.subscribe("probe.")
        try probe.connect(deployment.topology.subscribeEndpoint)
        _ = try await eventually("the publisher to be connected through the forwarder", timeout: .seconds(15)) {
            try publisher.send([Data("probe.ready".utf8)])
            return try probe.receive(timeoutMilliseconds: 50)
        }
        for message in garbage { try publisher.send(message) }

        // Random requests to a service's ROUTER socket are refused, not fatal.
        let dealer = try ZMQSocket(.dealer)
        try dealer.connect(deployment.endpoint(ServiceInstance(.ingest)))
        for _ in 0..<100 {
            let frames = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                Data((0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            try dealer.send(frames)
        }

        let payloads = Set(garbage.map { $0.last! })
        for instance in instances {
            let database = try deployment.database(of: instance)
            _ = try await eventually("\(instance) to dead-letter all 1,000 messages") {
                let stored = try await database.read { try DeadLetterStore.allFrames($0) }
                let found = Set(stored.compactMap(\.last)).intersection(payloads)
                return found.count == payloads.count ? true : nil
            }
        }
        for instance in instances {
            #expect(try deployment.process(instance.name).isRunning, "\(instance) still running")
            try await deployment.awaitAnswering(instance, timeout: .seconds(5))
        }
        // And the bus still carries real events afterwards.
        let run = try await deployment.emit(from: ServiceInstance(.ingest), count: 10)
        _ = try await deployment.awaitPings(at: ServiceInstance(.reporting), run: run, count: 10)
        let statuses = deployment.stopAll()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "\(statuses)")
    }
}
