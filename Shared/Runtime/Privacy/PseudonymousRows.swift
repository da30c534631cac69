import EcoModel
import Foundation
import GRDB

/// A holder for tables that name a person only by account id (reservations, missions, impact
/// entries): their rows are exported; erasure leaves them, since once the account is erased the id
/// leads to no one (docs/decisions/0010).
public struct PseudonymousRows: PersonalDataHolder {
    /// A table and the columns that hold an account id.
    public struct Source: Sendable {
        public let table: String
        public let columns: [String]
        public init(_ table: String, by columns: [String]) {
            self.table = table
            self.columns = columns
        }
    }

    public let section: String
    let sources: [Source]

    public init(section: String, _ sources: [Source]) {
        self.section = section
        self.sources = sources
    }

    /// `{table: [row…]}`; a BLOB or TEXT column holding JSON is exported as that JSON.
    public func export(accountID: String, in db: Database) throws -> Data {
        var object: [String: Any] = [:]
        for source in sources {
            let condition = source.columns.map { "\($0) = ?" }.joined(separator: " OR ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM \(source.table) WHERE \(condition)",
                arguments: StatementArguments(Array(repeating: accountID, count: source.columns.count)))
            object[source.table] = rows.map { row in
                var entry: [String: Any] = [:]
                for (column, value) in row {
                    switch value.storage {
                    case .null: entry[column] = NSNull()
                    case .int64(let number): entry[column] = number
                    case .double(let number): entry[column] = number
                    case .string(let text): entry[column] = text
                    case .blob(let data): entry[column] = (try? JSONSerialization.jsonObject(with: data)) ?? data.base64EncodedString()
                    }
                }
                return entry
            }
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    public func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount { ErasureCount() }
}
