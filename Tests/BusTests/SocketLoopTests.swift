import EcoBus
import EcoStore
import Foundation
import GRDB
import Logging
import Testing
import ZeroMQ

private struct NoFreePort: Error {}
private struct PlainFailure: Error, CustomStringConvertible {
    var description: String { "plain failure" }
}

private let logger = Logger(label: "bus-tests.socket-loop")

/// A loop with a ROUTER bound on a random local port (the wrapper cannot report a wildcard port),
/// retrying on another port when the bind fails.
private func startRouterLoop() async throws -> (loop: SocketLoop, endpoint: String) {
    for _ in 0..<50 {
        let endpoint = "tcp://127.0.0.1:\(Int.random(in: 30_000...60_000))"
        let loop = SocketLoop(endpoints: SocketLoopEndpoints(routerBind: endpoint), sink: nil, logger: logger)
        do {
            try await loop.start()
            return (loop, endpoint)
        } catch {
            continue
        }
    }
    throw NoFreePort()
}

/// Runs `body` with a client loop and a server loop whose requests are served by `handlers`;
/// both loops are stopped afterwards, and the router's serving task is awaited.
private func withServer<T>(
    _ handlers: [String: RequestHandler],
    _ body: (_ endpoint: String, _ client: SocketLoop) async throws -> T
) async throws -> T {
    let (server, endpoint) = try await startRouterLoop()
    let router = RequestRouter(handlers: handlers, logger: logger)
    let serving = Task { await router.serve(server) }
    let client = SocketLoop(endpoints: SocketLoopEndpoints(), sink: nil, logger: logger)
    func shutDown() async {
        client.stop()
        server.stop()
        await serving.value
    }
    do {
        try await client.start()
        let result = try await body(endpoint, client)
        await shutDown()
        return result
    } catch {
        await shutDown()
        throw error
    }
}

@Suite("SocketLoop: requests between two real loops over TCP", .timeLimit(.minutes(1)))
struct SocketLoopTests {
    @Test("a request to a loop served by a RequestRouter gets its handler's reply")
    func requestGetsReply() async throws {
        let reply = try await withServer(["test.echo": { body in [Data("echo".utf8)] + body }]) { endpoint, client in
            try await client.request(endpoint, kind: "test.echo", body: [Data("a".utf8), Data(), Data("c".utf8)], timeout: .seconds(10))
        }
        #expect(reply == [Data("echo".utf8), Data("a".utf8), Data(), Data("c".utf8)])
    }

    @Test("a request sent under a trace is answered under the same trace; one sent without has none")
    func traceTravels() async throws {
        let trace = TraceContext.start()
        let (traced, untraced) = try await withServer(["test.trace": { _ in [Data((TraceContext.current?.traceparent ?? "none").utf8)] }]) { endpoint, client in
            let traced = try await TraceContext.$current.withValue(trace) {
                try await client.request(endpoint, kind: "test.trace", timeout: .seconds(10))
            }
            return (traced, try await client.request(endpoint, kind: "test.trace", timeout: .seconds(10)))
        }
        let first = try #require(traced.first)
        let seen = try #require(TraceContext(traceparent: String(decoding: first, as: UTF8.self)))
        #expect(seen.traceID == trace.traceID && seen.parentID != trace.parentID, "the asker's child span of the same trace: \(seen)")
        #expect(untraced == [Data("none".utf8)])
    }

    @Test("concurrent requests each get their own reply")
    func concurrentRequests() async throws {
        let replies = try await withServer(["test.double": { body in
            let value = Int(String(decoding: body[0], as: UTF8.self)) ?? -1
            return [Data("\(value * 2)".utf8)]
        }]) { endpoint, client in
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for value in 0..<20 {
                    group.addTask {
                        let frames = try await client.request(endpoint, kind: "test.double", body: [Data("\(value)".utf8)], timeout: .seconds(10))
                        return (value, String(decoding: frames[0], as: UTF8.self))
                    }
                }
                var replies: [Int: String] = [:]
                for try await (value, reply) in group { replies[value] = reply }
                return replies
            }
        }
        #expect(replies.count == 20)
        for (value, reply) in replies { #expect(reply == "\(value * 2)") }
    }

    @Test("an unknown kind gets BusRequestError.remote with code unknown_request")
    func unknownKind() async throws {
        let error = try await withServer(["test.echo": { $0 }]) { endpoint, client in
            await #expect(throws: BusRequestError.self) {
                try await client.request(endpoint, kind: "test.nobody", timeout: .seconds(10))
            }
        }
        guard case .remote(let remote)? = error else {
            Issue.record("expected a remote error, got \(String(describing: error))")
            return
        }
        #expect(remote.code == "unknown_request")
        #expect(remote.message.contains("test.nobody"))
    }

    @Test("a RemoteError thrown by a handler comes back as it is; any other error as `internal`")
    func handlerErrors() async throws {
        let handlers: [String: RequestHandler] = [
            "test.refuse": { _ in throw RemoteError(code: "refused", message: "not today") },
            "test.fail": { _ in throw PlainFailure() },
        ]
        let (refused, failed) = try await withServer(handlers) { endpoint, client in
            let refused = await #expect(throws: BusRequestError.self) {
                try await client.request(endpoint, kind: "test.refuse", timeout: .seconds(10))
            }
            let failed = await #expect(throws: BusRequestError.self) {
                try await client.request(endpoint, kind: "test.fail", timeout: .seconds(10))
            }
            return (refused, failed)
        }
        #expect(refused == .remote(RemoteError(code: "refused", message: "not today")))
        guard case .remote(let remote)? = failed else {
            Issue.record("expected a remote error, got \(String(describing: failed))")
            return
        }
        #expect(remote.code == "internal")
        #expect(remote.message.contains("plain failure"))
    }

    @Test("bus.replay served by a ReplayServer over the wire returns the outbox events")
    func replayOverTheWire() async throws {
        let queue = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations).migrate(queue)
        let outbox = Outbox(producer: "ingest")
        try await queue.write { db in
            for index in 1...3 { try outbox.append("listing.published", ["index": index], in: db) }
        }
        let server = ReplayServer(producer: "ingest", database: queue, stats: nil)
        let frames = try await withServer([BusRequestKind.replay: { try await server.answer($0) }]) { endpoint, client in
            try await client.request(
                endpoint, kind: BusRequestKind.replay,
                body: [try EventCodec.encoder.encode(ReplayRequest(from: 2))], timeout: .seconds(10))
        }
        let reply = try EventCodec.decoder.decode(ReplayReply.self, from: try #require(frames.first))
        #expect(reply == ReplayReply(latest: 3, through: 3, producer: "ingest"))
        let sequences = frames.dropFirst().compactMap { payload -> Int64? in
            guard case .event(let event) = InboundMessage.decodeEvent(payload, expectedType: "listing.published") else { return nil }
            return event.sequence
        }
        #expect(sequences == [2, 3])
    }

    @Test("a request to an endpoint nobody listens on fails with .timeout within the given timeout")
    func timeoutWhenNobodyListens() async throws {
        let client = SocketLoop(endpoints: SocketLoopEndpoints(), sink: nil, logger: logger)
        try await client.start()
        // A random port that was just free: bind a ROUTER there and close it again.
        var endpoint = ""
        for _ in 0..<50 {
            let candidate = "tcp://127.0.0.1:\(Int.random(in: 30_000...60_000))"
            let probe = try ZMQSocket(.router)
            defer { probe.close() }
            if (try? probe.bind(candidate)) != nil {
                endpoint = candidate
                break
            }
        }
        try #require(!endpoint.isEmpty)

        let timeout = Duration.milliseconds(300)
        let clock = ContinuousClock()
        let started = clock.now
        let target = endpoint
        await #expect(throws: BusRequestError.timeout(endpoint: target, kind: "test.echo")) {
            try await client.request(target, kind: "test.echo", body: [Data("x".utf8)], timeout: timeout)
        }
        let elapsed = started.duration(to: clock.now)
        #expect(elapsed >= timeout)
        #expect(elapsed < timeout + .seconds(2), "the timeout fires close to its deadline, took \(elapsed)")
        client.stop()
    }

    @Test("stopping a loop fails its pending requests with .closed, and later requests at once")
    func stopFailsPendingRequests() async throws {
        let client = SocketLoop(endpoints: SocketLoopEndpoints(), sink: nil, logger: logger)
        try await client.start()
        let pending = Task { () async -> BusRequestError? in
            do {
                _ = try await client.request("tcp://127.0.0.1:9", kind: "test.echo", timeout: .seconds(30))
                return nil
            } catch let error as BusRequestError {
                return error
            } catch {
                return .malformedReply("unexpected \(error)")
            }
        }
        // Whether the request is already pending when the loop stops or arrives after stop() began,
        // it fails with .closed (and not with .timeout, 30 s away).
        client.stop()
        #expect(await pending.value == .closed)
        await #expect(throws: BusRequestError.closed) {
            try await client.request("tcp://127.0.0.1:9", kind: "test.echo", timeout: .seconds(30))
        }
    }
}
