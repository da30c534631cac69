import CZeroMQ
import Foundation

/// One ZeroMQ socket. A socket is not thread-safe: exactly one thread uses it for its whole life,
/// which is why this type is deliberately not `Sendable`.
public final class ZMQSocket {
    public let type: ZMQSocketType
    let handle: UnsafeMutableRawPointer
    private var closed = false

    public init(_ type: ZMQSocketType, context: ZMQContext = .shared) throws(ZMQError) {
        guard let socket = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError("zmq_socket")
        }
        self.type = type
        self.handle = socket
        // Close promptly: pending messages are covered by the outbox and replay, not by linger.
        try setOption(ZMQ_LINGER, 0)
    }

    deinit { close() }

    /// Closes the socket; further use is a programming error.
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("zmq_bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("zmq_connect \(endpoint)") }
    }

    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError("zmq_setsockopt \(option)")
        }
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws(ZMQError) {
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZMQError("zmq_setsockopt \(option)") }
    }

    /// Subscribes a SUB socket to messages whose first frame starts with `prefix` ("" for all).
    public func subscribe(_ prefix: String) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8))
    }

    /// The endpoint the socket last bound, with the port the system chose for `tcp://host:*`.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(cString: buffer)
    }

    /// The socket's file descriptor, readable when the socket has events (edge-triggered).
    public var fileDescriptor: Int32 {
        var fd: Int32 = -1
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_FD, &fd, &size)
        return fd
    }

    /// Sends a multi-frame message. Returns false when the send would block (high-water mark reached
    /// on a non-dropping socket) and `dontWait` is set; nothing of the message was sent then.
    @discardableResult
    public func send(_ frames: [Data], dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let result = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if result >= 0 { break }
                let error = ZMQError("zmq_send")
                if error.isInterrupted { continue }
                // Only the first frame can block: once it is queued the rest of the message follows atomically.
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multi-frame message, or nil when `dontWait` is set and none is ready.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> [Data]? {
        try receiveAuthenticated(dontWait: dontWait)?.frames
    }

    /// A received message and the identity the ZAP handler gave its sender's connection (nil on a
    /// socket without authentication).
    public struct Received {
        public let frames: [Data]
        public let userId: String?
    }

    /// Receives one whole message with its sender's authenticated identity (ZAP `User-Id`).
    public func receiveAuthenticated(dontWait: Bool = false) throws(ZMQError) -> Received? {
        var frames: [Data] = []
        var userId: String?
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags: Int32 = (dontWait && frames.isEmpty) ? ZMQ_DONTWAIT : 0
            let size = zmq_msg_recv(&message, handle, flags)
            if size < 0 {
                let error = ZMQError("zmq_msg_recv")
                if error.isInterrupted { continue }
                if error.isWouldBlock && frames.isEmpty { return nil }
                throw error
            }
            // A ROUTER's routing-id frame is its own: the property comes with the peer's frames.
            if userId == nil, let property = zmq_msg_gets(&message, "User-Id") { userId = String(cString: property) }
            if size == 0 {
                frames.append(Data())
            } else {
                frames.append(Data(bytes: zmq_msg_data(&message), count: Int(size)))
            }
            if zmq_msg_more(&message) == 0 { return Received(frames: frames, userId: userId) }
        }
    }

    /// Waits up to `timeoutMilliseconds` for a message (-1 waits forever).
    public func receive(timeoutMilliseconds: Int) throws(ZMQError) -> [Data]? {
        var items = [ZMQPollItem(socket: self, events: .readable)]
        guard try ZMQPoll.poll(&items, timeoutMilliseconds: timeoutMilliseconds) > 0 else { return nil }
        return try receive(dontWait: true)
    }
}
