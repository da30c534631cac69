/// A configuration value that cannot be used, named by where it came from.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let setting: String
    public let value: String
    public let reason: String

    public init(setting: String, value: String, reason: String) {
        self.setting = setting
        self.value = value
        self.reason = reason
    }

    public var description: String { "invalid \(setting) '\(value)': \(reason)" }
}
