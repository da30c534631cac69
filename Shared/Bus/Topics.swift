/// Topic names on the bus: `<domain>.<event>`, e.g. `listing.published`.
public enum Topic {
    /// Published by every producer each second with its latest sequence; never stored in an outbox.
    public static let heartbeat = "bus.heartbeat"
    /// Diagnostic events, used to check the bus end to end (`ecoresupply bus ping`) and by tests.
    public static let diagnosticPing = "diagnostic.ping"

    public static let maximumLength = 128

    /// Whether `topic` is a well-formed `<domain>.<event>` name: lowercase letters, digits, `_`, `-`,
    /// and at least one dot that neither starts nor ends it.
    public static func isValid(_ topic: String) -> Bool {
        guard !topic.isEmpty, topic.utf8.count <= maximumLength,
              topic.contains("."), !topic.hasPrefix("."), !topic.hasSuffix(".")
        else { return false }
        return topic.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" || scalar == "-"
        }
    }
}
