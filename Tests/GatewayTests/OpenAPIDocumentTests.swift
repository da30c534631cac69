import Foundation
import GatewayService
import Testing

@Suite("The OpenAPI document served at /openapi.json")
struct OpenAPIDocumentTests {
    /// Every route the gateway registers, as `METHOD /path/{param}`. Kept beside the routes'
    /// sources: a route added without documenting it fails here.
    static func registeredRoutes() throws -> Set<String> {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { directory.deleteLastPathComponent() }
        let sources = directory.appendingPathComponent("Services/gateway/Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        let pattern = try NSRegularExpression(pattern: #"(router|group)\.(get|post|put|delete)\("([^"]+)""#)
        var routes: Set<String> = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let prefix = text.contains(#"router.group("/v1/auth")"#) ? "/v1/auth" : ""
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let receiver = String(text[Range(match.range(at: 1), in: text)!])
                let method = String(text[Range(match.range(at: 2), in: text)!]).uppercased()
                var path = String(text[Range(match.range(at: 3), in: text)!])
                if receiver == "group" { path = prefix + path }
                path = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                routes.insert("\(method) /\(path)")
            }
        }
        return routes
    }

    @Test("documents every registered route, each operation with the roles it admits")
    func everyRouteDocumented() throws {
        let document = try JSONSerialization.jsonObject(with: OpenAPIDocument.load()) as? [String: Any]
        #expect(document?["openapi"] as? String == "3.1.0")
        let paths = try #require(document?["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                documented.insert("\(method.uppercased()) \(path)")
                let roles = (operation as? [String: Any])?["x-roles"] as? [String]
                #expect(roles?.isEmpty == false, "\(method) \(path) states its roles")
            }
        }
        let routes = try Self.registeredRoutes()
        #expect(routes.count > 30)
        #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
    }
}
