import CZeroMQ

/// The process-wide ZeroMQ context. libzmq documents contexts as thread-safe, which is why this
/// class may be shared across threads: it holds one immutable pointer and only calls
/// thread-safe `zmq_ctx_*`/`zmq_socket` functions with it.
public final class ZMQContext: @unchecked Sendable {
    /// The context every socket in this process is created from.
    public static let shared = ZMQContext()

    let handle: UnsafeMutableRawPointer

    /// A context of its own (tests that need their own ZAP handler); it lives as long as the process.
    public init() {
        guard let context = zmq_ctx_new() else {
            preconditionFailure("zmq_ctx_new failed: \(ZMQError("zmq_ctx_new"))")
        }
        // Do not block process exit on unsent messages of sockets closed with a linger.
        zmq_ctx_set(context, ZMQ_BLOCKY, 0)
        handle = context
    }

    /// The libzmq version, e.g. "4.3.4".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
