import GRDB

/// Applies events of some topics to a consumer's own tables. It runs inside the consumer's write
/// transaction, together with the offset update, so each event's effects happen exactly once.
/// Throwing dead-letters the event (its partial effects are rolled back) and the stream moves on.
public protocol EventHandler: Sendable {
    /// Topic prefixes this handler applies, e.g. `["listing."]`.
    var topicPrefixes: [String] { get }
    func apply(_ event: ReceivedEvent, in db: Database) throws
}

/// An error that says the event cannot be applied *yet* (a peer it needs did not answer), not that it
/// is bad: the consumer rolls the whole batch back and replays it later instead of dead-lettering it.
public protocol RetryableHandlerError: Error {}

extension EventHandler {
    public func handles(_ topic: String) -> Bool {
        topicPrefixes.contains { topic.hasPrefix($0) }
    }
}
