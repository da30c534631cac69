import CZeroMQ
import DequeModule
import Foundation
import Logging
import Synchronization
import ZeroMQ

/// The sockets a `SocketLoop` opens when it starts.
public struct SocketLoopEndpoints: Sendable {
    /// Connect a PUB socket here (the forwarder's XSUB) to publish events.
    public var publishTo: String?
    /// Connect a SUB socket here (the forwarder's XPUB) to receive events.
    public var subscribeTo: String?
    /// Topic prefixes the SUB socket subscribes to ("" is everything).
    public var subscriptions: [String]
    /// Bind a ROUTER socket here to answer requests (replay, commands, queries).
    public var routerBind: String?
    /// CURVE on every link, when the deployment has keys; nil: plain TCP (one machine, no keys).
    public var curve: BusCurve?

    public init(
        publishTo: String? = nil, subscribeTo: String? = nil, subscriptions: [String] = [""], routerBind: String? = nil, curve: BusCurve? = nil
    ) {
        self.publishTo = publishTo
        self.subscribeTo = subscribeTo
        self.subscriptions = subscriptions
        self.routerBind = routerBind
        self.curve = curve
    }
}

/// How a process's sockets use CURVE: its own key pair, the forwarder's public key (for PUB and
/// SUB), and each ROUTER endpoint's public key (for requests). The process's ZAP handler decides
/// who may connect to its ROUTER (domain `routerDomain`).
public struct BusCurve: Sendable, Equatable {
    public static let routerDomain = "bus.router"
    public static let publishDomain = "bus.publish"
    public static let subscribeDomain = "bus.subscribe"

    public let keys: ZMQCurveKeyPair
    public let forwarderKey: String
    /// Public keys of the ROUTER sockets, by endpoint.
    public let serverKeys: [String: String]

    public init(keys: ZMQCurveKeyPair, forwarderKey: String, serverKeys: [String: String]) {
        self.keys = keys
        self.forwarderKey = forwarderKey
        self.serverKeys = serverKeys
    }
}

/// Receives what a SUB socket reads. The loop reads only while `hasRoom`.
public protocol InboundSink: Sendable {
    var hasRoom: Bool { get }
    func deliver(_ frames: [Data])
}

/// Owns every ZeroMQ socket of one process on a dedicated thread that runs a `zmq_poll` loop,
/// as ZeroMQ sockets are not thread-safe. Async code talks to it through a command queue and a
/// wake pipe; results come back through continuations, the inbound sink and `requests`.
public final class SocketLoop: Sendable {
    /// High-water mark of internal links: a publisher waits (ZMQ_XPUB_NODROP) rather than drop.
    public static let highWaterMark: Int32 = 100_000

    private enum Command {
        case publish([[Data]], CheckedContinuation<Void, Never>)
        /// The publisher stopped waiting (its task was cancelled, e.g. at shutdown): drop what is
        /// queued and release every waiter. Consumers get the dropped events back by replay.
        case abandonPublishing
        case request(id: UInt64, endpoint: String, frames: [Data])
        case reply(identity: Data, frames: [Data])
    }

    private struct PendingRequest {
        let continuation: CheckedContinuation<[Data], any Error>
        let deadline: ContinuousClock.Instant
        let endpoint: String
        let kind: String
    }

    private struct State {
        var commands: [Command] = []
        var pending: [UInt64: PendingRequest] = [:]
        var nextRequestID: UInt64 = 1
        var stopping = false
        var stopped = false
    }

    private let endpoints: SocketLoopEndpoints
    private let sink: (any InboundSink)?
    private let wake: WakePipe
    private let logger: Logger
    private let state = Mutex(State())
    private let requestContinuation: AsyncStream<IncomingRequest>.Continuation
    /// Requests received on the ROUTER socket, in arrival order.
    public let requests: AsyncStream<IncomingRequest>

    public init(endpoints: SocketLoopEndpoints, sink: (any InboundSink)?, wake: WakePipe = WakePipe(), logger: Logger) {
        self.endpoints = endpoints
        self.sink = sink
        self.wake = wake
        self.logger = logger
        (requests, requestContinuation) = AsyncStream.makeStream(of: IncomingRequest.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Opens the sockets on a new thread; returns once they are bound and connected.
    public func start() async throws(ZMQError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in self.run(started: continuation) }
                thread.name = "bus-socket-loop"
                thread.start()
            }
        } catch let error as ZMQError {
            throw error
        } catch {
            throw ZMQError("socket loop start", code: EINVAL)
        }
    }

    /// Stops the loop and closes its sockets. Pending requests fail with `.closed`.
    public func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }

    /// Wakes the loop, e.g. when the inbound sink has room again.
    public func signal() { wake.signal() }

    /// Publishes messages in order; returns once libzmq has queued all of them. While the link is at
    /// its high-water mark this waits, which is how back-pressure reaches the outbox relay.
    /// If the calling task is cancelled while waiting (a shutdown while the forwarder is down), the
    /// queued messages are dropped and the call returns: they stay in the outbox, and consumers
    /// recover them by replay.
    public func publish(_ messages: [[Data]]) async {
        guard !messages.isEmpty else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let accepted = state.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.commands.append(.publish(messages, continuation))
                    return true
                }
                if accepted { wake.signal() } else { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.commands.append(.abandonPublishing) }
            wake.signal()
        }
    }

    /// Sends a request to the ROUTER at `endpoint` and waits for its reply frames (after the status).
    /// The current `TraceContext`, if any, goes with it (`RequestKindFrame`).
    public func request(
        _ endpoint: String, kind: String, body: [Data] = [], timeout: Duration = .seconds(2)
    ) async throws(BusRequestError) -> [Data] {
        let kindFrame = RequestKindFrame.encode(kind: kind, trace: TraceContext.current?.child())
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Data], any Error>) in
                let accepted = state.withLock { state -> Bool in
                    guard !state.stopped, !state.stopping else { return false }
                    let id = state.nextRequestID
                    state.nextRequestID += 1
                    state.pending[id] = PendingRequest(
                        continuation: continuation, deadline: .now + timeout, endpoint: endpoint, kind: kind)
                    state.commands.append(.request(
                        id: id, endpoint: endpoint,
                        frames: [RequestProtocol.encodeID(id), kindFrame] + body))
                    return true
                }
                if accepted { wake.signal() } else { continuation.resume(throwing: BusRequestError.closed) }
            }
        } catch let error as BusRequestError {
            throw error
        } catch {
            throw .closed
        }
    }

    /// Answers a request received on the ROUTER socket.
    public func reply(to request: IncomingRequest, status: Data = RequestProtocol.ok, body: [Data]) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.commands.append(.reply(identity: request.identity, frames: [request.requestID, status] + body))
            return true
        }
        if accepted { wake.signal() }
    }

    /// Answers a request with an error body.
    public func replyError(to request: IncomingRequest, _ error: RemoteError) {
        let body = (try? EventCodec.encoder.encode(error)) ?? Data()
        reply(to: request, status: RequestProtocol.error, body: [body])
    }

    // MARK: - The loop thread

    private struct PublishWaiter {
        let target: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    private func run(started: CheckedContinuation<Void, any Error>) {
        let pub: ZMQSocket?
        let sub: ZMQSocket?
        let router: ZMQSocket?
        do {
            pub = try endpoints.publishTo.map { endpoint throws(ZMQError) in
                let socket = try ZMQSocket(.pub)
                try socket.setOption(ZMQ_SNDHWM, Self.highWaterMark)
                try socket.setOption(ZMQ_XPUB_NODROP, 1)
                if let curve = endpoints.curve { try socket.makeCurveClient(curve.keys, serverKey: curve.forwarderKey) }
                try socket.connect(endpoint)
                return socket
            }
            sub = try endpoints.subscribeTo.map { endpoint throws(ZMQError) in
                let socket = try ZMQSocket(.sub)
                try socket.setOption(ZMQ_RCVHWM, Self.highWaterMark)
                for prefix in endpoints.subscriptions { try socket.subscribe(prefix) }
                if let curve = endpoints.curve { try socket.makeCurveClient(curve.keys, serverKey: curve.forwarderKey) }
                try socket.connect(endpoint)
                return socket
            }
            router = try endpoints.routerBind.map { endpoint throws(ZMQError) in
                let socket = try ZMQSocket(.router)
                try socket.setOption(ZMQ_SNDHWM, Self.highWaterMark)
                try socket.setOption(ZMQ_RCVHWM, Self.highWaterMark)
                if let curve = endpoints.curve { try socket.makeCurveServer(secretKey: curve.keys.secretKey, domain: BusCurve.routerDomain) }
                try socket.bind(endpoint)
                return socket
            }
        } catch {
            state.withLock { $0.stopped = true }
            started.resume(throwing: error)
            return
        }
        started.resume()

        var dealers: [String: ZMQSocket] = [:]
        var outgoing = Deque<[Data]>()
        var queued: UInt64 = 0
        var sent: UInt64 = 0
        var publishWaiters = Deque<PublishWaiter>()
        var publishBackoffUntil: ContinuousClock.Instant?

        loop: while true {
            let (commands, stopping) = state.withLock { state -> ([Command], Bool) in
                defer { state.commands.removeAll(keepingCapacity: true) }
                return (state.commands, state.stopping)
            }
            if stopping { break loop }

            for command in commands {
                switch command {
                case .publish(let messages, let continuation):
                    guard pub != nil else {
                        continuation.resume()
                        continue
                    }
                    outgoing.append(contentsOf: messages)
                    queued += UInt64(messages.count)
                    publishWaiters.append(PublishWaiter(target: queued, continuation: continuation))
                case .abandonPublishing:
                    if !outgoing.isEmpty {
                        logger.warning("bus publishing abandoned; queued events stay in the outbox for replay", metadata: ["bus.dropped": "\(outgoing.count)"])
                    }
                    outgoing.removeAll()
                    sent = queued
                    while let waiter = publishWaiters.popFirst() { waiter.continuation.resume() }
                case .request(let id, let endpoint, let frames):
                    do {
                        let dealer: ZMQSocket
                        if let existing = dealers[endpoint] {
                            dealer = existing
                        } else {
                            dealer = try ZMQSocket(.dealer)
                            if let curve = endpoints.curve {
                                guard let serverKey = curve.serverKeys[endpoint] else {
                                    logger.warning("no public key known for this endpoint: request not sent", metadata: ["bus.endpoint": "\(endpoint)"])
                                    failRequest(id, with: .unavailable(endpoint: endpoint))
                                    continue
                                }
                                try dealer.makeCurveClient(curve.keys, serverKey: serverKey)
                            }
                            try dealer.connect(endpoint)
                            dealers[endpoint] = dealer
                        }
                        if try !dealer.send(frames, dontWait: true) {
                            failRequest(id, with: .unavailable(endpoint: endpoint))
                        }
                    } catch {
                        logger.warning("bus request could not be sent", metadata: ["bus.endpoint": "\(endpoint)", "error": "\(error)"])
                        failRequest(id, with: .unavailable(endpoint: endpoint))
                    }
                case .reply(let identity, let frames):
                    do {
                        if try router?.send([identity] + frames, dontWait: true) == false {
                            logger.warning("bus reply dropped: peer queue full")
                        }
                    } catch {
                        logger.warning("bus reply failed", metadata: ["error": "\(error)"])
                    }
                }
            }

            // Publish what is queued, as far as the link accepts it. A PUB socket may report itself
            // writable while its non-dropping link is full (the forwarder is away): then wait a little
            // before trying again rather than spinning on poll.
            if let pub, publishBackoffUntil.map({ $0 <= .now }) ?? true {
                publishBackoffUntil = nil
                do {
                    while let message = outgoing.first {
                        guard try pub.send(message, dontWait: true) else {
                            publishBackoffUntil = .now + .milliseconds(1)
                            break
                        }
                        outgoing.removeFirst()
                        sent += 1
                    }
                } catch {
                    logger.error("bus publish failed; message dropped, replay will cover it", metadata: ["error": "\(error)"])
                    if !outgoing.isEmpty { outgoing.removeFirst(); sent += 1 }
                }
                while let waiter = publishWaiters.first, waiter.target <= sent {
                    publishWaiters.removeFirst()
                    waiter.continuation.resume()
                }
            }

            // Build the poll set.
            var items = [ZMQPollItem(fileDescriptor: wake.readDescriptor, events: .readable)]
            var subIndex: Int?
            var routerIndex: Int?
            var pubIndex: Int?
            if let sub, sink?.hasRoom ?? false {
                subIndex = items.count
                items.append(ZMQPollItem(socket: sub, events: .readable))
            }
            if let router {
                routerIndex = items.count
                items.append(ZMQPollItem(socket: router, events: .readable))
            }
            if let pub, !outgoing.isEmpty, publishBackoffUntil == nil {
                pubIndex = items.count
                items.append(ZMQPollItem(socket: pub, events: .writable))
            }
            let dealerEntries = Array(dealers)
            let dealerStart = items.count
            for (_, dealer) in dealerEntries { items.append(ZMQPollItem(socket: dealer, events: .readable)) }

            var timeout = nextTimeoutMilliseconds()
            if publishBackoffUntil != nil, !outgoing.isEmpty { timeout = min(timeout, 1) }
            do {
                try ZMQPoll.poll(&items, timeoutMilliseconds: timeout)
            } catch {
                logger.critical("zmq_poll failed; socket loop stops", metadata: ["error": "\(error)"])
                break loop
            }
            if items[0].ready.contains(.readable) { wake.drain() }
            _ = pubIndex

            if let subIndex, let sub, let sink, items[subIndex].ready.contains(.readable) {
                var received = 0
                while received < 1000, sink.hasRoom {
                    guard let frames = try? sub.receive(dontWait: true) else { break }
                    sink.deliver(frames)
                    received += 1
                }
            }
            if let routerIndex, let router, items[routerIndex].ready.contains(.readable) {
                var received = 0
                while received < 1000, let message = try? router.receiveAuthenticated(dontWait: true) {
                    received += 1
                    handleRouterMessage(message.frames, sender: message.userId, router: router)
                }
            }
            for (offset, entry) in dealerEntries.enumerated() where items[dealerStart + offset].ready.contains(.readable) {
                while let frames = try? entry.value.receive(dontWait: true) {
                    handleReply(frames)
                }
            }
            expireRequests()
        }

        // Shut down: nothing more is accepted; everyone waiting is released.
        let (pending, leftover) = state.withLock { state -> ([PendingRequest], [Command]) in
            state.stopped = true
            defer {
                state.pending.removeAll()
                state.commands.removeAll()
            }
            return (Array(state.pending.values), state.commands)
        }
        for request in pending { request.continuation.resume(throwing: BusRequestError.closed) }
        for command in leftover {
            if case .publish(_, let continuation) = command { continuation.resume() }
        }
        for waiter in publishWaiters { waiter.continuation.resume() }
        requestContinuation.finish()
        pub?.close()
        sub?.close()
        router?.close()
        for dealer in dealers.values { dealer.close() }
    }

    private func handleRouterMessage(_ frames: [Data], sender: String?, router: ZMQSocket) {
        // [identity, request id, kind (and its attributes), body…]
        guard frames.count >= 3, let (kind, trace) = RequestKindFrame.decode(frames[2]),
              RequestProtocol.decodeID(frames[1]) != nil
        else {
            logger.warning("malformed bus request ignored", metadata: ["bus.frames": "\(frames.count)"])
            if frames.count >= 2 {
                let body = (try? EventCodec.encoder.encode(RemoteError(code: "malformed_request", message: "expected [request id (8 bytes), kind, body…]"))) ?? Data()
                _ = try? router.send([frames[0], frames[1], RequestProtocol.error, body], dontWait: true)
            }
            return
        }
        let request = IncomingRequest(identity: frames[0], requestID: frames[1], kind: kind, body: Array(frames.dropFirst(3)), sender: sender, trace: trace)
        if case .dropped = requestContinuation.yield(request) {
            logger.warning("bus request dropped: too many pending", metadata: ["bus.kind": "\(kind)"])
        }
    }

    private func handleReply(_ frames: [Data]) {
        guard frames.count >= 2, let id = RequestProtocol.decodeID(frames[0]) else {
            logger.warning("malformed bus reply ignored", metadata: ["bus.frames": "\(frames.count)"])
            return
        }
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }  // late reply after timeout
        if frames[1] == RequestProtocol.ok {
            pending.continuation.resume(returning: Array(frames.dropFirst(2)))
        } else if frames.count >= 3, let remote = try? EventCodec.decoder.decode(RemoteError.self, from: frames[2]) {
            pending.continuation.resume(throwing: BusRequestError.remote(remote))
        } else {
            pending.continuation.resume(throwing: BusRequestError.malformedReply("status \(String(decoding: frames[1], as: UTF8.self))"))
        }
    }

    private func failRequest(_ id: UInt64, with error: BusRequestError) {
        state.withLock { $0.pending.removeValue(forKey: id) }?.continuation.resume(throwing: error)
    }

    private func expireRequests() {
        let now = ContinuousClock.now
        let expired = state.withLock { state -> [PendingRequest] in
            let ids = state.pending.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.pending.removeValue(forKey: $0) }
        }
        for request in expired {
            request.continuation.resume(throwing: BusRequestError.timeout(endpoint: request.endpoint, kind: request.kind))
        }
    }

    private func nextTimeoutMilliseconds() -> Int {
        let now = ContinuousClock.now
        let nearest = state.withLock { $0.pending.values.map(\.deadline).min() }
        guard let nearest else { return 1000 }
        let remaining = now.duration(to: nearest)
        let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
        return Int(max(0, min(1000, milliseconds + 1)))
    }
}
