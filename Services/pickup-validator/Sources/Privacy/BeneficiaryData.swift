import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// What the pickup validator holds about a beneficiary: their verifications (code, verifier,
/// validity) and the free lots counted against their daily quota. Erasing deletes both and takes
/// the code out of the stored `beneficiary.verified` events.
struct BeneficiaryData: PersonalDataHolder {
    var section: String { "beneficiary" }

    struct Export: Encodable {
        var verifications: [Verification]
        var quotaClaims: [Claim]
        struct Verification: Encodable {
            var code: String
            var verifiedBy: String
            var verifiedAt: String
            var validUntil: String
        }
        struct Claim: Encodable {
            var reservationId: String
            var day: String
            var released: Bool
        }
    }

    func export(accountID: String, in db: Database) throws -> Data {
        try ExportJSON.encode(Export(
            verifications: try Row.fetchAll(
                db, sql: "SELECT * FROM beneficiary_verifications WHERE account_id = ? ORDER BY id", arguments: [accountID]
            ).map { .init(code: $0["code"], verifiedBy: $0["verified_by"], verifiedAt: $0["verified_at"], validUntil: $0["valid_until"]) },
            quotaClaims: try Row.fetchAll(
                db, sql: "SELECT * FROM quota_claims WHERE beneficiary_id = ? ORDER BY claimed_at", arguments: [accountID]
            ).map { .init(reservationId: $0["reservation_id"], day: $0["day"], released: $0["released"]) }))
    }

    func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount {
        let accountID = erased.accountID
        var count = ErasureCount()
        try db.execute(sql: "DELETE FROM beneficiary_verifications WHERE account_id = ?", arguments: [accountID])
        count.rows += db.changesCount
        try db.execute(sql: "DELETE FROM quota_claims WHERE beneficiary_id = ?", arguments: [accountID])
        count.rows += db.changesCount
        count.events += try Outbox.rewrite(
            topics: [BeneficiaryVerified.topic], containing: accountID, as: BeneficiaryVerified.self, in: db
        ) { event in
            guard event.accountID == accountID else { return false }
            event.code = Erased.text
            return true
        }
        return count
    }
}
