import Foundation
import ArgumentParser
import EcoConfig

/// The gateway's HTTP settings, beside the common ones.
public struct GatewayConfig: Sendable {
    public var httpHost: String
    public var httpPort: Int
    /// bcrypt cost for new password hashes (12–16; 12 by default; lower only with `--weak-bcrypt-for-tests`).
    public var bcryptCost: Int
    /// The admin account made at start if missing; its password comes from the environment only.
    public var adminEmail: String?
    public var adminPassword: String?
    /// Reports one address may file per hour without signing in, and one account (or API key) signed in.
    public var filingsPerHourByAddress: Int
    public var filingsPerHourByAccount: Int
    /// The version of the terms of use that sign-up accepts and `GET /v1/terms` names.
    public var termsVersion: String
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: TrustedProxies
    /// Where people reach the gateway (`--public-url`), for absolute links; nil: from each request.
    public var publicURL: String?

    public static let defaultTermsVersion = "2026-12-01"

    public init(httpHost: String = "127.0.0.1", httpPort: Int = 8080, bcryptCost: Int = 12, adminEmail: String? = nil, adminPassword: String? = nil,
                filingsPerHourByAddress: Int = 30, filingsPerHourByAccount: Int = 600, termsVersion: String = GatewayConfig.defaultTermsVersion,
                trustedProxies: TrustedProxies = .none, publicURL: String? = nil) {
        self.publicURL = publicURL
        self.termsVersion = termsVersion
        self.trustedProxies = trustedProxies
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.bcryptCost = bcryptCost
        self.adminEmail = adminEmail
        self.adminPassword = adminPassword
        self.filingsPerHourByAddress = filingsPerHourByAddress
        self.filingsPerHourByAccount = filingsPerHourByAccount
    }
}

/// Flags for the gateway's HTTP listener (env ECORESUPPLY_HTTP_HOST / ECORESUPPLY_HTTP_PORT).
public struct GatewayOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("http-host"), help: "Address the HTTP server listens on (default 127.0.0.1).")
    public var httpHost: String?

    @Option(name: .customLong("http-port"), help: "HTTP port (default 8080).")
    public var httpPort: Int?

    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt cost of password hashes, 12–16 (env ECORESUPPLY_BCRYPT_COST, default 12).")
    public var bcryptCost: Int?

    @Flag(name: .customLong("weak-bcrypt-for-tests"), help: "Accept a bcrypt cost from 4 (fast, insecure: for test deployments only).")
    public var weakBcryptForTests = false

    @Option(name: .customLong("admin-email"), help: "Admin account to create at start if missing; its password is read from ECORESUPPLY_ADMIN_PASSWORD (env ECORESUPPLY_ADMIN_EMAIL).")
    public var adminEmail: String?

    @Option(name: .customLong("filings-per-hour"), help: "Reports one address may file per hour without signing in (env ECORESUPPLY_FILINGS_PER_HOUR, default 30).")
    public var filingsPerHour: Int?

    @Option(name: .customLong("account-filings-per-hour"), help: "Reports one account or API key may file per hour, e.g. an app filing for citizens (env ECORESUPPLY_ACCOUNT_FILINGS_PER_HOUR, default 600).")
    public var accountFilingsPerHour: Int?

    @Option(name: .customLong("terms-version"), help: "Version of the terms of use people accept at sign-up (env ECORESUPPLY_TERMS_VERSION, default \(GatewayConfig.defaultTermsVersion)).")
    public var termsVersion: String?

    @Option(name: .customLong("trusted-proxies"), help: "Comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed (env ECORESUPPLY_TRUSTED_PROXIES, default none).")
    public var trustedProxies: String?

    @Option(name: .customLong("public-url"), help: "Where people reach the gateway, e.g. https://reports.example.org, for absolute links such as Open311 media_url (env ECORESUPPLY_PUBLIC_URL; default: from each request's Host, or X-Forwarded-Host and X-Forwarded-Proto from a trusted proxy).")
    public var publicURL: String?

    public init() {}

    public func resolve(environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        let settings = EnvironmentSettings(environment)
        let port: Int
        if let httpPort { port = httpPort } else { port = try settings.int("HTTP_PORT", default: 8080) }
        guard (1...65_535).contains(port) else {
            throw ConfigError(setting: "http-port", value: "\(port)", reason: "must be between 1 and 65535")
        }
        let cost: Int
        if let bcryptCost { cost = bcryptCost } else { cost = try settings.int("BCRYPT_COST", default: 12) }
        let lowest = weakBcryptForTests ? BcryptPasswordHasher.testCostFloor : BcryptPasswordHasher.costFloor
        guard (lowest...BcryptPasswordHasher.costCeiling).contains(cost) else {
            throw ConfigError(setting: "bcrypt-cost", value: "\(cost)", reason: "must be between \(lowest) and \(BcryptPasswordHasher.costCeiling)")
        }
        let byAddress: Int, byAccount: Int
        if let filingsPerHour { byAddress = filingsPerHour } else { byAddress = try settings.int("FILINGS_PER_HOUR", default: 30) }
        if let accountFilingsPerHour { byAccount = accountFilingsPerHour } else { byAccount = try settings.int("ACCOUNT_FILINGS_PER_HOUR", default: 600) }
        guard (1...100_000).contains(byAddress) else {
            throw ConfigError(setting: "filings-per-hour", value: "\(byAddress)", reason: "must be between 1 and 100000")
        }
        guard (1...100_000).contains(byAccount) else {
            throw ConfigError(setting: "account-filings-per-hour", value: "\(byAccount)", reason: "must be between 1 and 100000")
        }
        let admin = adminEmail ?? settings.string("ADMIN_EMAIL")
        let password = settings.string("ADMIN_PASSWORD")
        if admin != nil, password == nil {
            throw ConfigError(setting: "admin-email", value: admin ?? "", reason: "set ECORESUPPLY_ADMIN_PASSWORD as well")
        }
        let terms = (termsVersion ?? settings.string("TERMS_VERSION") ?? GatewayConfig.defaultTermsVersion).trimmingCharacters(in: .whitespaces)
        guard (1...40).contains(terms.count) else {
            throw ConfigError(setting: "terms-version", value: terms, reason: "must have 1 to 40 characters")
        }
        let proxyList = trustedProxies ?? settings.string("TRUSTED_PROXIES") ?? ""
        let proxies: TrustedProxies
        switch TrustedProxies.parse(proxyList) {
        case .success(let parsed): proxies = parsed
        case .failure(let error): throw ConfigError(setting: "trusted-proxies", value: error.entry, reason: "must be an IP address or a CIDR block such as 10.0.0.0/8")
        }
        var publicOrigin: String?
        if let text = publicURL ?? settings.string("PUBLIC_URL"), !text.isEmpty {
            guard let parsed = PublicOrigin.parse(text) else {
                throw ConfigError(setting: "public-url", value: text, reason: "must be an http or https URL with a host and no path, such as https://reports.example.org")
            }
            publicOrigin = parsed
        }
        return GatewayConfig(
            httpHost: httpHost ?? settings.string("HTTP_HOST") ?? "127.0.0.1", httpPort: port,
            bcryptCost: cost, adminEmail: admin, adminPassword: password, filingsPerHourByAddress: byAddress, filingsPerHourByAccount: byAccount,
            termsVersion: terms, trustedProxies: proxies, publicURL: publicOrigin)
    }
}
