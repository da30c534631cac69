import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// The lots, listings and demands an account published, for its export. They are the shop's or
/// the company's offer, published under the account: erasing the account does not take them out
/// yet (see docs/privacy.md, Gaps).
struct PublisherData: PersonalDataHolder {
    var section: String { "published" }

    func export(accountID: String, in db: Database) throws -> Data {
        var object: [String: Any] = [:]
        for (name, table, owner) in [("lots", "lots", "merchant_id"), ("listings", "listings", "company_id"), ("demands", "demands", "requester_id")] {
            let bodies = try Data.fetchAll(db, sql: "SELECT body FROM \(table) WHERE \(owner) = ? ORDER BY id", arguments: [accountID])
            object[name] = try bodies.map { try JSONSerialization.jsonObject(with: $0) }
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    func erase(accountID: String, in db: Database) throws -> ErasureCount { ErasureCount() }
}
