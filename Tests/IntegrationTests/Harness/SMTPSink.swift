import Foundation

/// The test SMTP server (`Fixtures/smtp_sink.py`) on a port outside the deployment's block, and
/// the messages it received.
final class SMTPSink {
    let port: Int
    private let fixture: PythonFixture

    /// - Parameters:
    ///   - refuseFirst: the first n messages get a temporary failure (451).
    ///   - tls: a certificate and key: the server offers STARTTLS and takes mail only over it.
    ///   - auth: `user:password` the server requires with AUTH PLAIN.
    init(outside deployment: TestDeployment, refuseFirst: Int = 0, tls: (certificate: URL, key: URL)? = nil, auth: String? = nil) async throws {
        var port = PortBlock.find(count: 1)
        while (deployment.topology.busPort...deployment.httpPort).contains(port) { port = PortBlock.find(count: 1) }
        self.port = port
        var arguments = ["\(port)", "\(refuseFirst)"]
        if let tls { arguments += ["--tls", tls.certificate.path, tls.key.path] }
        if let auth { arguments += ["--auth", auth] }
        fixture = try PythonFixture("smtp_sink.py", arguments: arguments, log: deployment.root.appendingPathComponent("smtp.log"))
        try await fixture.awaitLine("READY")
    }

    deinit { fixture.kill() }

    /// The notifications flags that send through this server.
    var notificationsArguments: [String] { ["--smtp-host", "127.0.0.1", "--smtp-port", "\(port)", "--smtp-from", "noreply@example.org"] }

    /// Every message received so far, headers and body.
    var messages: [String] {
        fixture.output.lines.joined(separator: "\n").components(separatedBy: "MESSAGE\n").dropFirst()
            .map { $0.components(separatedBy: "\nEND").first ?? "" }
    }

    /// Waits for a message to `address` whose text contains `marker`.
    func awaitMessage(to address: String, containing marker: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await eventually("an email to \(address) with '\(marker)'", timeout: timeout, interval: .milliseconds(200)) {
            try fixture.checkRunning()
            return messages.first { $0.contains("To: <\(address)>") && $0.contains(marker) }
        }
    }

    /// A self-signed certificate for 127.0.0.1 made with the openssl command, for a TLS sink.
    static func certificate(in directory: URL) throws -> (certificate: URL, key: URL) {
        let certificate = directory.appendingPathComponent("smtp-cert.pem"), key = directory.appendingPathComponent("smtp-key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.path, "-out", certificate.path,
                             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError.exited("openssl req", "status \(process.terminationStatus)") }
        return (certificate, key)
    }

    /// The single-use code in an account email: the line of 43 base64url characters.
    static func code(in message: String) -> String? {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }
    }
}
