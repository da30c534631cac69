/// Reads `ECORESUPPLY_<NAME>` settings from an environment, with typed errors for bad values.
public struct EnvironmentSettings: Sendable {
    public static let prefix = "ECORESUPPLY_"
    private let environment: [String: String]

    public init(_ environment: [String: String]) {
        self.environment = environment
    }

    public func string(_ name: String) -> String? {
        guard let value = environment[Self.prefix + name], !value.isEmpty else { return nil }
        return value
    }

    /// The setting as a whole number, or `fallback` when it is not set.
    public func int(_ name: String, default fallback: Int) throws(ConfigError) -> Int {
        try int(name) ?? fallback
    }

    public func int(_ name: String) throws(ConfigError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else {
            throw ConfigError(setting: Self.prefix + name, value: text, reason: "not a whole number")
        }
        return value
    }
}
