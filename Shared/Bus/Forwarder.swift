import CZeroMQ
import Foundation
import Logging
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

    public init(subscribeEndpoint: String, publishEndpoint: String, curveSecretKey: String? = nil, logger: Logger) {
        self.subscribeEndpoint = subscribeEndpoint
        self.publishEndpoint = publishEndpoint
        self.curveSecretKey = curveSecretKey
        self.logger = logger
    }

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
        try control.bind(controlEndpoint)
        try frontend.bind(publishEndpoint)
        try backend.bind(subscribeEndpoint)
        logger.info("bus forwarder listening", metadata: ["bus.subscribe": "\(subscribeEndpoint)", "bus.publish": "\(publishEndpoint)"])
        try ZMQProxy.run(frontend: frontend, backend: backend, control: control)
        logger.info("bus forwarder stopped")
    }
}
