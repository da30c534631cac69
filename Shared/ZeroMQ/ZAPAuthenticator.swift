import CZeroMQ
import Foundation
import Synchronization

/// The ZAP handler (ZeroMQ RFC 27) of the process's context: every CURVE server socket asks it,
/// once per connection, whether the client's public key may in, and under which identity. Without
/// a handler bound, libzmq lets every client in, so `start()` returns only once it is listening.
public final class ZAPAuthenticator: Sendable {
    /// What a connection asks: the server socket's domain, the client's address and CURVE key.
    public struct Request: Sendable, Equatable {
        public let domain: String
        public let address: String
        public let mechanism: String
        /// The client's public key in Z85; nil for a mechanism without keys.
        public let clientKey: String?
    }

    /// The identity a connection gets (its messages carry it as `User-Id`), or nil to refuse it.
    public typealias Policy = @Sendable (Request) -> String?

    public static let endpoint = "inproc://zeromq.zap.01"
    private let policy: Policy
    private let onRefusal: @Sendable (Request) -> Void
    private let state = Mutex<(stopping: Bool, thread: Bool)>((false, false))
    private let stopped = DispatchSemaphore(value: 0)
    private let context: ZMQContext

    public init(context: ZMQContext = .shared, policy: @escaping Policy, onRefusal: @escaping @Sendable (Request) -> Void = { _ in }) {
        self.context = context
        self.policy = policy
        self.onRefusal = onRefusal
    }

    /// Binds the handler and answers on its own thread until `stop()`.
    public func start() throws(ZMQError) {
        state.withLock { $0 = (stopping: false, thread: false) }
        let bound = DispatchSemaphore(value: 0)
        let failure = Mutex<ZMQError?>(nil)
        let thread = Thread { [self] in
            let socket: ZMQSocket
            do throws(ZMQError) {
                socket = try ZMQSocket(.rep, context: context)
                try socket.bind(Self.endpoint)
            } catch {
                failure.withLock { $0 = error }
                bound.signal()
                return
            }
            bound.signal()
            serve(socket)
            socket.close()
            stopped.signal()
        }
        thread.name = "zap-authenticator"
        thread.start()
        bound.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        state.withLock { $0.thread = true }
    }

    /// Stops answering and unbinds; waits for the thread to end.
    public func stop() {
        let running = state.withLock { state -> Bool in
            state.stopping = true
            return state.thread
        }
        if running { stopped.wait() }
        state.withLock { $0.thread = false }
    }

    private func serve(_ socket: ZMQSocket) {
        while !state.withLock({ $0.stopping }) {
            guard let frames = try? socket.receive(timeoutMilliseconds: 100) else { continue }
            guard frames.count >= 6 else {
                _ = try? socket.send([Data("1.0".utf8), frames.count > 1 ? frames[1] : Data(), Data("500".utf8), Data("malformed ZAP request".utf8), Data(), Data()])
                continue
            }
            let request = Request(
                domain: String(decoding: frames[2], as: UTF8.self), address: String(decoding: frames[3], as: UTF8.self),
                mechanism: String(decoding: frames[5], as: UTF8.self),
                clientKey: frames.count > 6 && frames[6].count == 32 ? Self.z85(frames[6]) : nil)
            let identity = policy(request)
            if identity == nil { onRefusal(request) }
            _ = try? socket.send([
                Data("1.0".utf8), frames[1], Data((identity == nil ? "400" : "200").utf8),
                Data((identity == nil ? "key not allowed" : "OK").utf8), Data((identity ?? "").utf8), Data(),
            ])
        }
    }

    static func z85(_ key: Data) -> String {
        var text = [CChar](repeating: 0, count: 41)
        key.withUnsafeBytes { bytes in _ = zmq_z85_encode(&text, bytes.bindMemory(to: UInt8.self).baseAddress, 32) }
        return String(cString: text)
    }
}
