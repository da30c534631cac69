import Foundation
import Testing

/// schemathesis (from PyPI, installed by scripts/install-deps.sh) against the live `/openapi.json`,
/// anonymous and signed in as an admin and as a merchant: no 5xx, and every response conforms to
/// the document (status codes, content types, headers, bodies); a wrong method gets 405. Bounded:
/// 10 examples an operation, a fixed seed.
@Suite("The OpenAPI document checked by schemathesis", .serialized)
struct SchemathesisTests {
    /// The checks the document must pass. Not `positive_data_acceptance`: the API refuses
    /// schema-valid input that breaks business rules no schema states (a common password, a
    /// place outside the territory, a window in the past), always with a documented 400.
    static let checks = [
        "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
        "response_headers_conformance", "unsupported_method",
    ]
    /// Operations that end the profile's own session are exercised by their own tests instead.
    static let sessionEnding = #"^/v1/auth/logout$|^/v1/me$|^/v1/me/sessions/|^/v1/me/password$"#

    @Test("anonymous, merchant and admin profiles find no server error and no response outside the document")
    func liveDocument() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let merchant = try await HTTPSession.signUp(base, "schemathesis-shop@example.org", roles: ["merchant", "customer", "collector"])
        // The admin goes last: its stateful phase follows links from the account list to erasing accounts.
        for (profile, token) in [("anonymous", nil), ("merchant", merchant.accessToken), ("admin", admin.accessToken)] as [(String, String?)] {
            var arguments = [
                "-m", "schemathesis.cli", "run", "\(base)/openapi.json", "--checks", Self.checks.joined(separator: ","),
                "--max-examples", "10", "--seed", "20261201", "--no-color",
            ]
            if let token { arguments += ["-H", "Authorization: Bearer \(token)", "--exclude-path-regex", Self.sessionEnding] }
            let log = deployment.root.appendingPathComponent("schemathesis-\(profile).log")
            let status = try Self.run(arguments, log: log)
            let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
            let tail = lines.suffix(60).joined(separator: "\n")
            // The failures themselves come before the summary, which is all the tail shows.
            let failures = lines.drop { !$0.contains("FAILURES") }.prefix(60).joined(separator: "\n")
            #expect(status == 0, "schemathesis, \(profile) profile:\n\(failures)\n…\n\(tail)")
            #expect(tail.contains("passed"), "schemathesis ran (\(profile))")
        }
        try deployment.checkRunning("gateway")
    }

    /// Runs the PATH's python3 (the one pip installed schemathesis for) and waits for it.
    static func run(_ arguments: [String], log: URL) throws -> Int32 {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = handle
        process.standardError = handle
        process.currentDirectoryURL = log.deletingLastPathComponent()  // its cache goes with the deployment
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
