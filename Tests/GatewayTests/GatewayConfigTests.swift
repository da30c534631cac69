import ArgumentParser
import EcoConfig
import GatewayService
import Testing

@Suite("Gateway settings")
struct GatewayConfigTests {
    static func resolve(_ arguments: [String], environment: [String: String] = [:]) throws -> GatewayConfig {
        try GatewayOptions.parse(arguments).resolve(environment: environment)
    }

    @Test("bcrypt costs under 12 are refused unless the deployment is a test one")
    func bcryptFloor() throws {
        #expect(try Self.resolve([]).bcryptCost == 12)
        #expect(throws: ConfigError.self) { try Self.resolve(["--bcrypt-cost", "4"]) }
        #expect(throws: ConfigError.self) { try Self.resolve([], environment: ["ECORESUPPLY_BCRYPT_COST": "10"]) }
        #expect(try Self.resolve(["--bcrypt-cost", "4", "--weak-bcrypt-for-tests"]).bcryptCost == 4)
        #expect(throws: ConfigError.self) { try Self.resolve(["--bcrypt-cost", "17"]) }
    }

    @Test("trusted proxies and the terms version come from a flag or the environment; bad ones are named")
    func proxiesAndTerms() throws {
        let config = try Self.resolve([], environment: ["ECORESUPPLY_TRUSTED_PROXIES": "10.0.0.0/8", "ECORESUPPLY_TERMS_VERSION": "2027-01"])
        #expect(config.trustedProxies.isTrusted("10.2.3.4"))
        #expect(config.termsVersion == "2027-01")
        #expect(try Self.resolve([]).termsVersion == GatewayConfig.defaultTermsVersion)
        do {
            _ = try Self.resolve(["--trusted-proxies", "10.0.0.0/8,nginx"])
            Issue.record("an entry that is not an address was accepted")
        } catch let error as ConfigError {
            #expect(error.setting == "trusted-proxies" && error.value == "nginx")
        }
    }

    @Test("--public-url is an http or https origin without a path; anything else is named")
    func publicURL() throws {
        #expect(try Self.resolve([]).publicURL == nil)
        #expect(try Self.resolve(["--public-url", "https://reports.example.org/"]).publicURL == "https://reports.example.org")
        #expect(try Self.resolve([], environment: ["ECORESUPPLY_PUBLIC_URL": "http://10.0.0.5:8080"]).publicURL == "http://10.0.0.5:8080")
        for bad in ["reports.example.org", "ftp://reports.example.org", "https://reports.example.org/api", "https://x.org/?a=b"] {
            do {
                _ = try Self.resolve(["--public-url", bad])
                Issue.record("\(bad) was accepted")
            } catch let error as ConfigError {
                #expect(error.setting == "public-url" && error.value == bad)
            }
        }
    }
}
