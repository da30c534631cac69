import CZeroMQ
import Foundation
import Logging
import Synchronization
import ZeroMQ

/// The bus's one meeting point: an XSUB socket where services publish and an XPUB socket where
/// anyone subscribes, joined by `zmq_proxy_steerable`. It keeps no state.
/// The XPUB side does not drop at its high-water mark (ZMQ_XPUB_NODROP): a slow subscriber makes
/// publishers wait rather than lose events.
public final class Forwarder: Sendable {
    public let subscribeEndpoint: String
    public let publishEndpoint: String
    private let controlEndpoint = "inproc://forwarder-control-\(UUID().uuidString)"
    private let logger: Logger
    /// The forwarder's CURVE secret key, when the bus runs CURVE: both sockets are then CURVE
    /// servers, and the process's ZAP handler decides who may publish and who may subscribe.
    private let curveSecretKey: String?
    /// With keys, whether the sender (its authenticated name) may publish this topic under this
    /// source; what it may not is dropped, counted and logged (docs/decisions/0012).
    private let permits: PublishingRights?
    /// With keys, whether the subscriber (its authenticated name) may subscribe to this prefix.
    private let subscriptions: SubscriptionRights?
    private let dropped = Atomic<Int>(0)

    public typealias PublishingRights = @Sendable (_ identity: String, _ topic: String, _ source: String) -> Bool
    public typealias SubscriptionRights = @Sendable (_ identity: String, _ prefix: String) -> Bool

    public init(
        subscribeEndpoint: String, publishEndpoint: String, curveSecretKey: String? = nil, permits: PublishingRights? = nil,
        subscriptions: SubscriptionRights? = nil, logger: Logger
    ) {
        self.subscribeEndpoint = subscribeEndpoint
        self.publishEndpoint = publishEndpoint
        self.curveSecretKey = curveSecretKey
        self.permits = permits
        self.subscriptions = subscriptions
        self.logger = logger
    }

    /// Events refused for publishing rights since start.
    public var droppedEvents: Int { dropped.load(ordering: .relaxed) }

    /// Binds both sockets and forwards on a dedicated thread until `stop()`.
    /// Returns once the proxy has ended.
    public func run() async throws(ZMQError) {
        do {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    do {
                        try self.proxy()
                        done.resume()
                    } catch {
                        done.resume(throwing: error)
                    }
                }
                thread.name = "bus-forwarder"
                thread.start()
            }
        } catch let error as ZMQError {
            throw error
        } catch {
            throw ZMQError("forwarder", code: EINVAL)
        }
    }

    /// Ends the proxy.
    public func stop() {
        guard let control = try? ZMQSocket(.push) else { return }
        defer { control.close() }
        try? control.connect(controlEndpoint)
        _ = try? control.send([Data("TERMINATE".utf8)])
    }

    private func proxy() throws(ZMQError) {
        let frontend = try ZMQSocket(.xsub)
        let backend = try ZMQSocket(.xpub)
        let control = try ZMQSocket(.pull)
        defer {
            frontend.close()
            backend.close()
            control.close()
        }
        try frontend.setOption(ZMQ_RCVHWM, SocketLoop.highWaterMark)
        try backend.setOption(ZMQ_SNDHWM, SocketLoop.highWaterMark)
        try backend.setOption(ZMQ_XPUB_NODROP, 1)
        if let curveSecretKey {
            try frontend.makeCurveServer(secretKey: curveSecretKey, domain: BusCurve.publishDomain)
            try backend.makeCurveServer(secretKey: curveSecretKey, domain: BusCurve.subscribeDomain)
        }
        // Subscriptions are then applied by hand, once checked against the subscriber's prefixes.
        if permits != nil, subscriptions != nil {
            try backend.setOption(ZMQ_XPUB_MANUAL, 1)
            try backend.setOption(ZMQ_XPUB_VERBOSER, 1)
        }
        try control.bind(controlEndpoint)
        try frontend.bind(publishEndpoint)
        try backend.bind(subscribeEndpoint)
        logger.info("bus forwarder listening", metadata: ["bus.subscribe": "\(subscribeEndpoint)", "bus.publish": "\(publishEndpoint)"])
        if let permits {
            try forwardChecked(frontend: frontend, backend: backend, control: control, permits: permits)
        } else {
            try ZMQProxy.run(frontend: frontend, backend: backend, control: control)
        }
        logger.info("bus forwarder stopped")
    }

    /// The proxy, message by message: subscriptions go upstream as they are; an event goes
    /// downstream only when its sender may publish its topic under its `source`.
    private func forwardChecked(frontend: ZMQSocket, backend: ZMQSocket, control: ZMQSocket, permits: PublishingRights) throws(ZMQError) {
        var items = [
            ZMQPollItem(socket: frontend, events: .readable), ZMQPollItem(socket: backend, events: .readable),
            ZMQPollItem(socket: control, events: .readable),
        ]
        while true {
            guard try ZMQPoll.poll(&items, timeoutMilliseconds: -1) > 0 else { continue }
            if items[2].ready.contains(.readable) { return }
            if items[1].ready.contains(.readable) {
                while let subscription = try backend.receiveAuthenticated(dontWait: true) {
                    guard let subscriptions else {
                        try frontend.send(subscription.frames)
                        continue
                    }
                    try applyChecked(subscription, backend: backend, frontend: frontend, rights: subscriptions)
                }
            }
            if items[0].ready.contains(.readable) {
                while let message = try frontend.receiveAuthenticated(dontWait: true) {
                    if let refusal = Self.refusal(of: message, permits: permits) {
                        let count = dropped.wrappingAdd(1, ordering: .relaxed).newValue
                        // The first ones, then one in a thousand: a flood must not flood the log too.
                        if count <= 20 || count % 1000 == 0 {
                            logger.warning("bus event dropped: not the sender's to publish", metadata: [
                                "bus.sender": "\(message.userId ?? "none")", "bus.reason": "\(refusal)", "bus.dropped_total": "\(count)",
                            ])
                        }
                        continue
                    }
                    try backend.send(message.frames)
                }
            }
        }
    }

    /// A subscription (first byte 1) or unsubscription (0), applied to the sender's pipe and passed
    /// upstream only when the sender may read that prefix; an unsubscription always applies.
    private func applyChecked(_ message: ZMQSocket.Received, backend: ZMQSocket, frontend: ZMQSocket, rights: SubscriptionRights) throws(ZMQError) {
        guard let frame = message.frames.first, let kind = frame.first, kind <= 1 else { return }
        let prefix = String(decoding: frame.dropFirst(), as: UTF8.self)
        if kind == 1 {
            guard let identity = message.userId, rights(identity, prefix) else {
                logger.warning("bus subscription refused: outside the subscriber's prefixes", metadata: [
                    "bus.sender": "\(message.userId ?? "none")", "bus.prefix": "\(prefix)",
                ])
                return
            }
            try backend.setOption(ZMQ_SUBSCRIBE, bytes: Array(frame.dropFirst()))
        } else {
            try backend.setOption(ZMQ_UNSUBSCRIBE, bytes: Array(frame.dropFirst()))
        }
        try frontend.send([frame])
    }

    /// Why a message may not pass, or nil when it may.
    static func refusal(of message: ZMQSocket.Received, permits: PublishingRights) -> String? {
        guard let identity = message.userId, !identity.isEmpty else { return "no authenticated sender" }
        guard message.frames.count == 2 else { return "\(message.frames.count) frames, not topic and event" }
        let topic = String(decoding: message.frames[0], as: UTF8.self)
        guard let envelope = try? EventCodec.decoder.decode(EventEnvelope.self, from: message.frames[1]) else { return "not a CloudEvent" }
        guard envelope.type == topic else { return "type \(envelope.type) under topic \(topic)" }
        guard permits(identity, topic, envelope.source) else { return "\(identity) may not publish \(topic) as \(envelope.source)" }
        return nil
    }
}
