import CZeroMQ

/// `zmq_proxy_steerable`: shuttles messages between `frontend` and `backend` until the `control`
/// socket receives "TERMINATE". Blocks the calling thread.
public enum ZMQProxy {
    public static func run(frontend: ZMQSocket, backend: ZMQSocket, control: ZMQSocket) throws(ZMQError) {
        let result = zmq_proxy_steerable(frontend.handle, backend.handle, nil, control.handle)
        if result != 0 {
            let error = ZMQError("zmq_proxy_steerable")
            if !error.isTerminated { throw error }
        }
    }
}
