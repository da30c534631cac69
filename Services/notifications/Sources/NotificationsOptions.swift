import Foundation
import ArgumentParser
import EcoConfig

/// SMTP flags of the notifications service (env ECORESUPPLY_SMTP_HOST, _PORT, _FROM), and the
/// webhooks' retry pace (env ECORESUPPLY_WEBHOOK_RETRY_BASE, _MAX). Without an SMTP host,
/// notifications stay in-app.
public struct NotificationsOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("smtp-host"), help: "SMTP relay for email notifications (env ECORESUPPLY_SMTP_HOST); none keeps them in-app.")
    public var smtpHost: String?

    @Option(name: .customLong("smtp-port"), help: "SMTP port (env ECORESUPPLY_SMTP_PORT, default 25).")
    public var smtpPort: Int?

    @Option(name: .customLong("smtp-from"), help: "Sender address (env ECORESUPPLY_SMTP_FROM, default no-reply@ecoresupply.local).")
    public var smtpFrom: String?

    @Flag(name: .customLong("smtp-starttls"), help: "Upgrade SMTP connections with STARTTLS, checking the relay's certificate (env ECORESUPPLY_SMTP_STARTTLS=1).")
    public var smtpStartTLS = false

    @Option(name: .customLong("smtp-username"), help: "SMTP AUTH user, sent only over STARTTLS; the password comes from ECORESUPPLY_SMTP_PASSWORD (env ECORESUPPLY_SMTP_USERNAME).")
    public var smtpUsername: String?

    @Option(name: .customLong("smtp-ca-file"), help: "A CA certificate (PEM) to trust for the relay besides the system's (env ECORESUPPLY_SMTP_CA_FILE).")
    public var smtpCAFile: String?

    @Option(name: .customLong("webhook-retry-base"), help: "Seconds before retrying a failed webhook attempt, doubled at each failure (env ECORESUPPLY_WEBHOOK_RETRY_BASE, default 2).")
    public var webhookRetryBase: Double?

    @Option(name: .customLong("webhook-retry-max"), help: "Longest wait between webhook attempts, in seconds (env ECORESUPPLY_WEBHOOK_RETRY_MAX, default 600).")
    public var webhookRetryMax: Double?

    @Option(name: .customLong("secrets-key-file"), help: "File of the 32-byte key webhook secrets are encrypted with in the store; made if missing (env ECORESUPPLY_SECRETS_KEY_FILE, default <data-dir>/notifications-secrets.key). Keep it out of the store's backups.")
    public var secretsKeyFile: String?

    public init() {}

    /// Where the webhook secrets key is: the flag, the environment, or beside the store.
    public func secretsKeyFile(environment: [String: String], dataDirectory: URL) -> URL {
        let path = secretsKeyFile ?? EnvironmentSettings(environment).string("SECRETS_KEY_FILE")
        return path.map { URL(fileURLWithPath: $0) } ?? dataDirectory.appendingPathComponent("notifications-secrets.key")
    }

    /// The webhooks' settings: flags, then environment, then defaults (2 s doubling up to 600 s).
    public func webhooks(environment: [String: String]) throws(ConfigError) -> WebhookSettings {
        let settings = EnvironmentSettings(environment)
        func seconds(_ flag: Double?, _ name: String, _ fallback: Double) throws(ConfigError) -> Double {
            if let flag { return flag }
            guard let text = settings.string(name) else { return fallback }
            guard let value = Double(text) else { throw ConfigError(setting: EnvironmentSettings.prefix + name, value: text, reason: "not a number of seconds") }
            return value
        }
        let base = try seconds(webhookRetryBase, "WEBHOOK_RETRY_BASE", 2)
        let maximum = try seconds(webhookRetryMax, "WEBHOOK_RETRY_MAX", 600)
        guard base > 0, base.isFinite else { throw ConfigError(setting: "webhook-retry-base", value: "\(base)", reason: "must be above 0") }
        guard maximum >= base, maximum.isFinite else {
            throw ConfigError(setting: "webhook-retry-max", value: "\(maximum)", reason: "must be at least webhook-retry-base (\(base))")
        }
        return WebhookSettings(retryBase: base, retryMax: maximum)
    }

    public func resolve(environment: [String: String]) throws(ConfigError) -> SMTPSettings? {
        let settings = EnvironmentSettings(environment)
        guard let host = smtpHost ?? settings.string("SMTP_HOST") else { return nil }
        let port: Int
        if let smtpPort { port = smtpPort } else { port = try settings.int("SMTP_PORT", default: 25) }
        guard (1...65_535).contains(port) else { throw ConfigError(setting: "smtp-port", value: "\(port)", reason: "must be between 1 and 65535") }
        let from = smtpFrom ?? settings.string("SMTP_FROM") ?? "no-reply@ecoresupply.local"
        guard SMTPClient.isSafeAddress(from) else { throw ConfigError(setting: "smtp-from", value: from, reason: "not an email address") }
        let startTLS = smtpStartTLS || settings.string("SMTP_STARTTLS") == "1"
        var credentials: SMTPSettings.Credentials?
        if let username = smtpUsername ?? settings.string("SMTP_USERNAME") {
            guard startTLS else {
                throw ConfigError(setting: "smtp-username", value: username, reason: "credentials go only over TLS: add --smtp-starttls")
            }
            guard let password = settings.string("SMTP_PASSWORD") else {
                throw ConfigError(setting: "smtp-username", value: username, reason: "set ECORESUPPLY_SMTP_PASSWORD as well")
            }
            credentials = .init(username: username, password: password)
        }
        let caFile = smtpCAFile ?? settings.string("SMTP_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigError(setting: "smtp-ca-file", value: caFile, reason: "no readable file there")
        }
        return SMTPSettings(host: host, port: port, from: from, startTLS: startTLS, credentials: credentials, caFile: caFile)
    }
}
