import ArgumentParser
import EcoConfig

/// SMTP flags of the notifications service (env ECORESUPPLY_SMTP_HOST, _PORT, _FROM).
/// Without a host, notifications stay in-app.
public struct NotificationsOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("smtp-host"), help: "SMTP relay for email notifications (env ECORESUPPLY_SMTP_HOST); none keeps them in-app.")
    public var smtpHost: String?

    @Option(name: .customLong("smtp-port"), help: "SMTP port (env ECORESUPPLY_SMTP_PORT, default 25).")
    public var smtpPort: Int?

    @Option(name: .customLong("smtp-from"), help: "Sender address (env ECORESUPPLY_SMTP_FROM, default no-reply@ecoresupply.local).")
    public var smtpFrom: String?

    public init() {}

    public func resolve(environment: [String: String]) throws(ConfigError) -> SMTPSettings? {
        let settings = EnvironmentSettings(environment)
        guard let host = smtpHost ?? settings.string("SMTP_HOST") else { return nil }
        let port: Int
        if let smtpPort { port = smtpPort } else { port = try settings.int("SMTP_PORT", default: 25) }
        guard (1...65_535).contains(port) else { throw ConfigError(setting: "smtp-port", value: "\(port)", reason: "must be between 1 and 65535") }
        let from = smtpFrom ?? settings.string("SMTP_FROM") ?? "no-reply@ecoresupply.local"
        guard SMTPClient.isSafeAddress(from) else { throw ConfigError(setting: "smtp-from", value: from, reason: "not an email address") }
        return SMTPSettings(host: host, port: port, from: from)
    }
}
