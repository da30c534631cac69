/// The kinds of process in a deployment. Each kind is one executable with its own SQLite file.
public enum ServiceKind: String, CaseIterable, Sendable, Codable {
    case gateway
    case ingest
    case reporting
    case notifications
    case pickupValidator = "pickup-validator"
    case matcher

    /// The executable's file name.
    public var executableName: String { rawValue }
}

/// One running instance of a service kind. Matcher workers are numbered; every other kind runs once.
public struct ServiceInstance: Hashable, Sendable, Codable, CustomStringConvertible {
    public let kind: ServiceKind
    public let index: Int?

    public init(_ kind: ServiceKind, index: Int? = nil) {
        self.kind = kind
        self.index = kind == .matcher ? (index ?? 0) : nil
    }

    /// The producer name used as the CloudEvents `source`, and the SQLite file's base name:
    /// `ingest`, `matcher-0`, `matcher-1`, …
    public var name: String {
        if let index { return "\(kind.rawValue)-\(index)" }
        return kind.rawValue
    }

    public var description: String { name }

    /// The instance of a producer name (`ingest`, `matcher-2`); nil for any other text.
    public init?(name: String) {
        if let kind = ServiceKind(rawValue: name), kind != .matcher {
            self.init(kind)
        } else if name.hasPrefix("matcher-"), let index = Int(name.dropFirst("matcher-".count)), index >= 0, String(index) == name.dropFirst("matcher-".count) {
            self.init(.matcher, index: index)
        } else {
            return nil
        }
    }
}
