import Foundation

/// What reaches a consumer: live messages from its SUB socket, and replies to the replays it asked for.
public enum ConsumerInput: Sendable {
    case live([Data])
    case replayed(producer: String, reply: ReplayReply, events: [Data])
    case replayFailed(producer: String, error: String)
}

/// The consumer's inbox, as the socket loop's sink for live messages.
public struct ConsumerInbox: InboundSink {
    public let inbox: BoundedInbox<ConsumerInput>

    public init(capacity: Int = 20_000, wake: WakePipe) {
        inbox = BoundedInbox(capacity: capacity, onSpace: { wake.signal() })
    }

    public var hasRoom: Bool { inbox.hasRoom }
    public func deliver(_ frames: [Data]) { inbox.push(.live(frames)) }
}
