import ArgumentParser
import EcoConfig
import NotificationsService
import Testing

@Suite("SMTP settings")
struct SMTPOptionsTests {
    static func resolve(_ arguments: [String], _ environment: [String: String] = [:]) throws -> SMTPSettings? {
        try NotificationsOptions.parse(arguments).resolve(environment: environment)
    }

    @Test("credentials need STARTTLS and a password from the environment; a CA file must exist")
    func credentials() throws {
        #expect(try Self.resolve([]) == nil, "no host: in-app only")
        let plain = try #require(try Self.resolve(["--smtp-host", "relay.example"]))
        #expect(!plain.startTLS && plain.credentials == nil)
        let secured = try #require(try Self.resolve(["--smtp-host", "relay.example", "--smtp-starttls", "--smtp-username", "u"], ["ECORESUPPLY_SMTP_PASSWORD": "p"]))
        #expect(secured.startTLS && secured.credentials == .init(username: "u", password: "p"))
        #expect(try Self.resolve([], ["ECORESUPPLY_SMTP_HOST": "relay.example", "ECORESUPPLY_SMTP_STARTTLS": "1"])?.startTLS == true)
        for (arguments, environment, setting) in [
            (["--smtp-host", "relay.example", "--smtp-username", "u"], ["ECORESUPPLY_SMTP_PASSWORD": "p"], "smtp-username"),
            (["--smtp-host", "relay.example", "--smtp-starttls", "--smtp-username", "u"], [:], "smtp-username"),
            (["--smtp-host", "relay.example", "--smtp-ca-file", "/nonexistent/ca.pem"], [:], "smtp-ca-file"),
        ] as [([String], [String: String], String)] {
            do {
                _ = try Self.resolve(arguments, environment)
                Issue.record("\(arguments) was accepted")
            } catch let error as ConfigError {
                #expect(error.setting == setting, "\(arguments): \(error)")
            }
        }
    }
}
