import EcoBus
import EcoModel
import Foundation
import GRDB

/// What one part of a service holds about a person. A service lists its holders in
/// `ServiceParts.personalData`; the runtime then answers `privacy.export` with what they hold and
/// applies `account.erased` through them (docs/decisions/0010).
public protocol PersonalDataHolder: Sendable {
    /// The export section's name, e.g. `reports`.
    var section: String { get }
    /// Everything this part stores about the account, as a JSON document (null or empty when nothing).
    func export(accountID: String, in db: Database) throws -> Data
    /// Erases or irreversibly pseudonymises the account's data, and rewrites this service's own
    /// stored events that carry it (`Outbox.rewrite`), inside the consumer's transaction.
    func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount
}

/// What an erasure changed: rows of the service's tables, and stored events rewritten.
public struct ErasureCount: Sendable, Equatable {
    public var rows: Int
    public var events: Int

    public init(rows: Int = 0, events: Int = 0) {
        self.rows = rows
        self.events = events
    }

    public static func + (lhs: Self, rhs: Self) -> Self { Self(rows: lhs.rows + rhs.rows, events: lhs.events + rhs.events) }
}

/// The JSON of a holder's export: its rows as a Codable value.
public enum ExportJSON {
    public static func encode(_ value: some Encodable) throws -> Data { try EventCodec.encoder.encode(value) }
}
