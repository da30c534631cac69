/// Why an event could not be written to the outbox.
public enum OutboxError: Error, Equatable, CustomStringConvertible {
    case invalidTopic(String)
    case reservedTopic(String)
    case tooLarge(topic: String, bytes: Int)

    public var description: String {
        switch self {
        case .invalidTopic(let topic): "'\(topic)' is not a <domain>.<event> topic"
        case .reservedTopic(let topic): "'\(topic)' is reserved for the bus itself"
        case .tooLarge(let topic, let bytes): "\(topic) event of \(bytes) bytes exceeds the 1 MiB limit"
        }
    }
}
