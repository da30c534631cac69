import EcoConfig
import Foundation
import GRDB
import Testing

/// Email notifications through a real SMTP server (a small Python one, in Fixtures/).
@Suite("Email notifications", .serialized)
struct NotificationEmailTests {
    @Test("with SMTP configured, the taker gets each notification by email once, after a temporary failure")
    func emailsTheTaker() async throws {
        let deployment = try await TestDeployment.make()
        // A port outside the deployment's own block (whose ports are not bound yet).
        var smtpPort = PortBlock.find(count: 1)
        while (deployment.topology.busPort...deployment.httpPort).contains(smtpPort) { smtpPort = PortBlock.find(count: 1) }
        var fixture = URL(fileURLWithPath: #filePath)
        fixture.deleteLastPathComponent()
        let output = OutputLines()
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sink.arguments = ["python3", "-u", fixture.appendingPathComponent("Fixtures/smtp_sink.py").path, "\(smtpPort)", "1"]
        sink.standardOutput = output.pipe
        try sink.run()
        defer {
            // Wait for the server to end, so that its output pipe is closed before `output` goes away.
            kill(sink.processIdentifier, SIGKILL)
            sink.waitUntilExit()
        }
        _ = try await eventually("the SMTP server to listen") { output.lines.contains("READY") ? true : nil }

        deployment.extraArguments["notifications"] = ["--smtp-host", "127.0.0.1", "--smtp-port", "\(smtpPort)", "--smtp-from", "noreply@example.org"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "mail-shop@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "mail-customer@example.org", emailNotifications: true)
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Mail lot", baskets: 2), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String)
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken)
        #expect(reserved.status == 201)

        // The first attempt is refused with 451; the retry (30 s later) delivers it.
        let messages = try await eventually("the confirmation email", timeout: .seconds(90), interval: .milliseconds(250)) { () -> [String]? in
            let text = output.lines.joined(separator: "\n")
            let found = text.components(separatedBy: "MESSAGE\n").dropFirst().map { $0.components(separatedBy: "\nEND").first ?? "" }
            return found.isEmpty ? nil : found
        }
        let message = try #require(messages.first)
        #expect(message.contains("To: <mail-customer@example.org>"))
        #expect(message.contains("Subject: EcoResupply: Reservation confirmed"))
        #expect(message.contains("From: EcoResupply <noreply@example.org>"))
        #expect(!output.lines.joined().contains("mail-shop@example.org"), "merchants are told in-app")
        _ = deployment.stopAll()
        #expect(messages.count == 1, "sent once")
    }

    @Test("with STARTTLS and AUTH set, mail goes encrypted and authenticated; a relay whose certificate is not trusted gets nothing")
    func startTLSAndAuth() async throws {
        let deployment = try await TestDeployment.make()
        let tls = try SMTPSink.certificate(in: deployment.root)
        let smtp = try await SMTPSink(outside: deployment, tls: tls, auth: "relay-user:relay-password")
        deployment.extraArguments["notifications"] = smtp.notificationsArguments + [
            "--smtp-starttls", "--smtp-username", "relay-user", "--smtp-ca-file", tls.certificate.path,
        ]
        deployment.extraEnvironment["notifications"] = ["ECORESUPPLY_SMTP_PASSWORD": "relay-password"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        _ = try await HTTPSession.signUp(base, "tls-customer@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/password-reset", json: ["email": "tls-customer@example.org"]).status == 202)
        let message = try await smtp.awaitMessage(to: "tls-customer@example.org", containing: "reset the password")
        #expect(message.hasPrefix("SESSION tls=yes auth=relay-user"), "\(message.prefix(80))")

        // Without the CA the relay's certificate is not trusted: the email waits, retried, never sent in clear.
        try deployment.kill("notifications", signal: SIGTERM)
        deployment.extraArguments["notifications"] = smtp.notificationsArguments + ["--smtp-starttls", "--smtp-username", "relay-user"]
        try deployment.start(ServiceInstance(.notifications))
        try await deployment.awaitAnswering(ServiceInstance(.notifications))
        _ = try await HTTPSession.signUp(base, "tls-second@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/password-reset", json: ["email": "tls-second@example.org"]).status == 202)
        let store = try deployment.database(of: ServiceInstance(.notifications))
        let error = try await eventually("the untrusted relay to be refused", timeout: .seconds(30)) { () -> String? in
            try await store.read { db in
                try String.fetchOne(db, sql: "SELECT last_error FROM email_outbox WHERE subject LIKE '%new password%' AND last_error IS NOT NULL ORDER BY id DESC")
            }
        }
        #expect(error.contains("STARTTLS") && error.contains("not trusted"), "\(error)")
        #expect(!smtp.messages.contains { $0.contains("tls-second@example.org") })
        _ = deployment.stopAll()
    }
}
