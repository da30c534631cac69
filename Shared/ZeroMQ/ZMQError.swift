import CZeroMQ
import Foundation

/// An error reported by libzmq: the operation that failed, errno, and libzmq's text for it.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32 = zmq_errno()) {
        self.operation = operation
        self.code = code
    }

    public var message: String { String(cString: zmq_strerror(code)) }
    public var description: String { "\(operation): \(message) (errno \(code))" }

    /// The socket would block (EAGAIN): no message ready, or the send queue is full.
    public var isWouldBlock: Bool { code == EAGAIN }
    /// The call was interrupted by a signal (EINTR) and may be retried.
    public var isInterrupted: Bool { code == EINTR }
    /// The context is shutting down (ETERM).
    public var isTerminated: Bool { code == ETERM }
}
