import Foundation

/// The test SMTP server (`Fixtures/smtp_sink.py`) on a port outside the deployment's block, and
/// the messages it received.
final class SMTPSink {
    let port: Int
    private let fixture: PythonFixture

    /// - Parameter refuseFirst: the first n messages get a temporary failure (451).
    init(outside deployment: TestDeployment, refuseFirst: Int = 0) async throws {
        var port = PortBlock.find(count: 1)
        while (deployment.topology.busPort...deployment.httpPort).contains(port) { port = PortBlock.find(count: 1) }
        self.port = port
        fixture = try PythonFixture("smtp_sink.py", arguments: ["\(port)", "\(refuseFirst)"], log: deployment.root.appendingPathComponent("smtp.log"))
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

    /// The single-use code in an account email: the line of 43 base64url characters.
    static func code(in message: String) -> String? {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }
    }
}
