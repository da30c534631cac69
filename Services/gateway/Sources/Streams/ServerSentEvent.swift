import Foundation

/// One Server-Sent Events message, framed as the HTML standard reads it: `id`, `event`, then the
/// data, one `data:` line per line of text, and a blank line.
struct ServerSentEvent: Sendable, Equatable {
    var id: String?
    var event: String?
    var data: String

    var framed: String {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if let event { text += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return text + "\n"
    }

    /// A comment line: ignored by clients, it keeps proxies and idle timers from closing the stream.
    static func comment(_ text: String) -> String { ": \(text)\n\n" }
}
