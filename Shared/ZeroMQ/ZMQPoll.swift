import CZeroMQ

/// What a poll waits for, and what it found.
public struct ZMQPollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// One entry of a poll set: a socket or a plain file descriptor.
public struct ZMQPollItem {
    var raw: zmq_pollitem_t

    public init(socket: ZMQSocket, events: ZMQPollEvents) {
        raw = zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0)
    }

    public init(fileDescriptor: Int32, events: ZMQPollEvents) {
        raw = zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0)
    }

    /// The events that were ready after the poll.
    public var ready: ZMQPollEvents { ZMQPollEvents(rawValue: raw.revents) }
}

/// `zmq_poll` over a set of items.
public enum ZMQPoll {
    /// Waits until an item is ready or the timeout passes (-1 waits forever). Returns the number of
    /// ready items; an interrupted wait returns 0.
    @discardableResult
    public static func poll(_ items: inout [ZMQPollItem], timeoutMilliseconds: Int) throws(ZMQError) -> Int {
        var raw = items.map(\.raw)
        let count = raw.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if count < 0 {
            let error = ZMQError("zmq_poll")
            if error.isInterrupted { return 0 }
            throw error
        }
        for index in items.indices { items[index].raw.revents = raw[index].revents }
        return Int(count)
    }
}
