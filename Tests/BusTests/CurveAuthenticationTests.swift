import Foundation
import Synchronization
import Testing
import ZeroMQ

/// CURVE with a ZAP handler on real TCP sockets: a known key gets in under its identity, an
/// unknown key and a client without CURVE do not (libzmq lets everyone in when no handler answers,
/// so the refusal is tested, not assumed).
@Suite("CURVE and the ZAP handler")
struct CurveAuthenticationTests {
    @Test("libzmq has CURVE, and makes Z85 key pairs")
    func keys() throws {
        #expect(ZMQCurveKeyPair.isAvailable)
        let pair = try ZMQCurveKeyPair.generate()
        #expect(ZMQCurveKeyPair.isKey(pair.publicKey) && ZMQCurveKeyPair.isKey(pair.secretKey) && pair.publicKey != pair.secretKey)
        #expect(!ZMQCurveKeyPair.isKey("not a key") && !ZMQCurveKeyPair.isKey(String(repeating: "~", count: 40)))
    }

    @Test("a known client key gets in with its identity; an unknown key is refused and reported; a client without CURVE never gets in")
    func refusesUnknownKeys() async throws {
        let context = ZMQContext()
        let server = try ZMQCurveKeyPair.generate(), known = try ZMQCurveKeyPair.generate(), stranger = try ZMQCurveKeyPair.generate()
        let refused = Mutex<[ZAPAuthenticator.Request]>([])
        let zap = ZAPAuthenticator(
            context: context, policy: { $0.domain == "test" && $0.clientKey == known.publicKey ? "known-client" : nil },
            onRefusal: { request in refused.withLock { $0.append(request) } })
        try zap.start()
        defer { zap.stop() }
        let router = try ZMQSocket(.router, context: context)
        defer { router.close() }
        try router.makeCurveServer(secretKey: server.secretKey, domain: "test")
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = router.lastEndpoint

        let welcome = try ZMQSocket(.dealer, context: context)
        defer { welcome.close() }
        try welcome.makeCurveClient(known, serverKey: server.publicKey)
        try welcome.connect(endpoint)
        try welcome.send([Data("hello".utf8)])
        var items = [ZMQPollItem(socket: router, events: .readable)]
        #expect(try ZMQPoll.poll(&items, timeoutMilliseconds: 5_000) == 1)
        let received = try #require(try router.receiveAuthenticated(dontWait: true))
        #expect(received.userId == "known-client" && received.frames.last == Data("hello".utf8))

        let intruder = try ZMQSocket(.dealer, context: context)
        defer { intruder.close() }
        try intruder.makeCurveClient(stranger, serverKey: server.publicKey)
        try intruder.connect(endpoint)
        _ = try intruder.send([Data("forged".utf8)], dontWait: true)
        var found: ZAPAuthenticator.Request?
        let deadline = ContinuousClock.now + .seconds(15)
        while found == nil, ContinuousClock.now < deadline {
            found = refused.withLock { $0.first }
            if found == nil { try await Task.sleep(for: .milliseconds(20)) }  // polls the condition; the wait is bounded
        }
        let refusal = try #require(found, "the unknown key was refused and reported")
        #expect(refusal.clientKey == stranger.publicKey && refusal.mechanism == "CURVE" && refusal.address == "127.0.0.1", "\(refusal)")

        let plain = try ZMQSocket(.dealer, context: context)
        defer { plain.close() }
        try plain.connect(endpoint)
        _ = try plain.send([Data("no keys".utf8)], dontWait: true)
        // The refused and the plain client's messages never arrive; the known client still gets through after them.
        try welcome.send([Data("again".utf8)])
        #expect(try ZMQPoll.poll(&items, timeoutMilliseconds: 5_000) == 1)
        let next = try #require(try router.receiveAuthenticated(dontWait: true))
        #expect(next.frames.last == Data("again".utf8) && next.userId == "known-client")
        #expect(try router.receive(timeoutMilliseconds: 300) == nil, "nothing from the stranger or the plain client")
    }
}
