import Foundation

/// Which methods each documented path answers, from the OpenAPI document: a request with another
/// method on a known path gets 405 with `Allow`, not 404.
public struct RouteMethods: Sendable {
    struct Template: Sendable {
        /// Literal segments, or nil for a `{parameter}`.
        let segments: [String?]
        let methods: [String]
    }

    let templates: [Template]

    public init(openAPI document: Data) throws {
        let paths = (try JSONSerialization.jsonObject(with: document) as? [String: Any])?["paths"] as? [String: [String: Any]] ?? [:]
        templates = paths.map { path, operations in
            Template(
                segments: path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) },
                methods: operations.keys.map { $0.uppercased() }.sorted())
        }
    }

    /// The methods the path answers (HEAD with GET), or none when no documented path matches.
    public func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/").map(String.init)
        let matching = templates.filter { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { literal, segment in literal == nil || literal == segment }
        }
        // A literal match wins over one through a parameter (`/v1/me/export` over `/v1/me/{x}`).
        let best = matching.max { $0.segments.compactMap { $0 }.count < $1.segments.compactMap { $0 }.count }
        guard let methods = best?.methods else { return [] }
        return methods.contains("GET") ? (methods + ["HEAD"]).sorted() : methods
    }
}
