import EcoBus
import Foundation
import Hummingbird

/// Open311 GeoReport v2 answers in the two formats the specification allows, chosen by the path's
/// extension: JSON with snake_case keys, or XML with the same element names.
enum Open311Format: String, Sendable {
    case json, xml

    /// The format and the name before the extension, from a path segment such as `001.json`.
    static func split(_ segment: String) -> (name: String, format: Open311Format)? {
        guard let dot = segment.lastIndex(of: "."), let format = Open311Format(rawValue: String(segment[segment.index(after: dot)...])) else { return nil }
        return (String(segment[..<dot]), format)
    }

    /// An element: text, or children; rendered as a JSON value or as XML.
    indirect enum Node: Sendable {
        case text(String?)
        case integer(Int)
        case number(Double)
        case bool(Bool)
        case object([(String, Node)])
        /// A list: in XML, each item is wrapped in an element named `item`.
        case list(item: String, [Node])
    }

    func response(_ status: HTTPResponse.Status, root: String, _ node: Node) -> Response {
        switch self {
        case .json:
            let data = (try? JSONSerialization.data(withJSONObject: Self.json(node), options: [.sortedKeys, .fragmentsAllowed])) ?? Data("[]".utf8)
            return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .xml:
            var text = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n"
            Self.xml(node, name: root, into: &text)
            return Response(status: status, headers: [.contentType: "text/xml; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The specification's error body: `[{"code", "description"}]` or `<errors><error>…</error></errors>`.
    func error(_ status: HTTPResponse.Status, _ description: String) -> Response {
        response(status, root: "errors", .list(item: "error", [.object([("code", .integer(status.code)), ("description", .text(description))])]))
    }

    /// A date as the specification writes it: ISO 8601 with an explicit offset, `2026-11-23T03:12:56+00:00`.
    static func date(_ date: Date) -> Node {
        .text(String(EventTime.format(date).prefix(19)) + "+00:00")
    }

    /// An Open311 date parameter: ISO 8601 with an offset or `Z`, fractional seconds allowed.
    static func parseDate(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(text))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }

    static func json(_ node: Node) -> Any {
        switch node {
        case .text(let value): value.map { $0 as Any } ?? NSNull()
        case .integer(let value): value
        case .number(let value): value
        case .bool(let value): value
        case .object(let fields): Dictionary(fields.map { ($0.0, json($0.1)) }, uniquingKeysWith: { first, _ in first })
        case .list(_, let items): items.map(json)
        }
    }

    static func xml(_ node: Node, name: String, into text: inout String) {
        switch node {
        case .text(let value):
            text += value.map { "<\(name)>\(escape($0))</\(name)>" } ?? "<\(name)/>"
        case .integer(let value):
            text += "<\(name)>\(value)</\(name)>"
        case .number(let value):
            text += "<\(name)>\(value)</\(name)>"
        case .bool(let value):
            text += "<\(name)>\(value)</\(name)>"
        case .object(let fields):
            text += "<\(name)>"
            for (key, value) in fields { xml(value, name: key, into: &text) }
            text += "</\(name)>"
        case .list(let item, let items):
            text += "<\(name)>"
            for value in items { xml(value, name: item, into: &text) }
            text += "</\(name)>"
        }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
