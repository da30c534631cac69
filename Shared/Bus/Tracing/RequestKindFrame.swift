import Foundation

/// The kind frame of a bus request (docs/bus-protocol.md): the kind, then optionally a space and
/// space-separated `name=value` attributes. `traceparent` is the only one so far; unknown ones are
/// ignored, and a frame with the kind alone, as every foreign client sends, is read as before.
public enum RequestKindFrame {
    public static let traceparentAttribute = "traceparent"

    /// The frame for `kind`, with `trace` when there is one.
    public static func encode(kind: String, trace: TraceContext?) -> Data {
        guard let trace else { return Data(kind.utf8) }
        return Data("\(kind) \(traceparentAttribute)=\(trace.traceparent)".utf8)
    }

    /// The kind and the trace context of a received frame; a `traceparent` that is not valid is dropped.
    public static func decode(_ frame: Data) -> (kind: String, trace: TraceContext?)? {
        guard let text = String(data: frame, encoding: .utf8) else { return nil }
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let kind = words.first, !text.hasPrefix(" ") else { return nil }
        var trace: TraceContext?
        for attribute in words.dropFirst() {
            let pair = attribute.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == traceparentAttribute { trace = TraceContext(traceparent: String(pair[1])) }
        }
        return (String(kind), trace)
    }
}
