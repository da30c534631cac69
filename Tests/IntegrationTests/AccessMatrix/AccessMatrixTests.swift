import Foundation
import Testing

/// Every documented operation × every kind of caller, generated from the OpenAPI document's
/// `x-roles` (read through `AccessRules`) and run against the real processes: each cell answers
/// as documented — 401 without credentials, 403 without the role, 404 where a refusal would tell
/// that someone else's resource exists, and otherwise past the access check.
@Suite("Access matrix: every operation × every role", .serialized)
struct AccessMatrixTests {
    struct Operation {
        let method: String
        let path: String
        let roles: [String]
        let bodyType: String?
        /// A body of the documented shape, for JSON bodies.
        let sample: Data?
    }

    /// Streams stay open: `/streams/reports` is checked for 401 and 403 by ReportSSEStreamTests.
    static let skipped: Set<String> = ["GET /streams/reports"]

    static func operations() throws -> [Operation] {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // AccessMatrix, IntegrationTests, Tests, package root
        let file = url.appendingPathComponent("Services/gateway/Sources/Resources/openapi.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let paths = try #require(document?["paths"] as? [String: [String: [String: Any]]])
        let samples = SchemaSample(document: document ?? [:])
        var operations: [Operation] = []
        for (path, methods) in paths {
            for (method, operation) in methods where !skipped.contains("\(method.uppercased()) \(path)") {
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: [String: Any]]
                let json = (content?["application/json"]?["schema"] as? [String: Any]).map { samples.value(for: $0) }
                operations.append(Operation(
                    method: method.uppercased(), path: path, roles: operation["x-roles"] as? [String] ?? [], bodyType: content?.keys.sorted().first,
                    sample: try json.map { try JSONSerialization.data(withJSONObject: $0) }))
            }
        }
        // Reads first, then changes, deletions, and signing out last, so that no cell spoils another.
        let order = ["GET": 0, "PUT": 1, "POST": 2, "DELETE": 3]
        return operations.sorted {
            let a = ($0.path == "/v1/auth/logout" ? 9 : order[$0.method] ?? 5, $0.path)
            let b = ($1.path == "/v1/auth/logout" ? 9 : order[$1.method] ?? 5, $1.path)
            return a < b
        }
    }

    @Test("every operation answers every role as its x-roles say")
    func matrix() async throws {
        let deployment = try await TestDeployment.make()
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.2", "--proposal-timeout", "600"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let world = try await MatrixWorld.make(base: "http://127.0.0.1:\(deployment.httpPort)")
        let operations = try Self.operations()
        #expect(operations.count > 80)
        var failures: [String] = []
        var cells = 0, refusals = 0, hidden = 0
        for operation in operations {
            for identity in MatrixWorld.Identity.allCases {
                guard let expected = AccessRules.expected(operation.roles, for: identity) else {
                    Issue.record("\(operation.method) \(operation.path): x-roles \(operation.roles) has an entry AccessRules does not know")
                    break
                }
                let reply = try await Self.send(operation, as: identity, in: world)
                cells += 1
                if case .refused(let statuses) = expected {
                    refusals += 1
                    if statuses == [404] { hidden += 1 }
                }
                if !expected.accepts(reply.status, code: reply.errorCode) {
                    failures.append("\(operation.method) \(operation.path) as \(identity.rawValue): \(reply.status), expected \(expected) — \(reply.text.prefix(160))")
                }
                // The body holds exactly the document's required fields: a route that misses one, or
                // does not know one, is documented wrongly (issue 10, point 14).
                if ["missing_field", "unknown_field"].contains(reply.errorCode) {
                    failures.append("\(operation.method) \(operation.path) as \(identity.rawValue): the document's required fields disagree with the route — \(reply.text.prefix(160))")
                }
            }
        }
        #expect(cells == operations.count * MatrixWorld.Identity.allCases.count)
        // The matrix refuses much and hides some: it is not a run where everything is let through.
        #expect(refusals > 300 && hidden > 30, "\(refusals) refused cells, \(hidden) of them hidden as 404")
        #expect(failures.isEmpty, "\(failures.count) cells:\n\(failures.joined(separator: "\n"))")
        try deployment.checkRunning("gateway")
    }

    /// The operation's request with the world's path values, as `identity`, with a body of the
    /// documented shape (what is checked here is access, not input).
    static func send(_ operation: Operation, as identity: MatrixWorld.Identity, in world: MatrixWorld) async throws -> HTTP.Reply {
        var path = operation.path
        while let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
            let name = String(path[path.index(after: open)..<close])
            path.replaceSubrange(open...close, with: world.value(of: name, in: operation.path))
        }
        if operation.method == "GET", operation.path == "/v1/lots" { path += "?lat=43.2965&lon=5.3698" }
        let body: Data? = switch operation.bodyType {
        case "application/json": operation.sample ?? Data("{}".utf8)
        case .some: Data()
        case nil: nil
        }
        return try await HTTP.send(operation.method, world.base + path, body: body, contentType: operation.bodyType, token: world.token(identity))
    }
}
