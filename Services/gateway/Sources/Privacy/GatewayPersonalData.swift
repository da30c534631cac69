import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// What the gateway holds about a person: the account with its roles, memberships, consents,
/// sessions and API keys, the beneficiary projection and the reservation index. Erasing deletes
/// the account (its dependent rows go with it) and rewrites the gateway's events that carry the
/// address or the name.
struct GatewayPersonalData: PersonalDataHolder {
    var section: String { "account" }

    struct Export: Encodable {
        var account: Account?
        var memberships: [Membership]
        var organisations: [OrganisationEntry]
        var pendingEmailChanges: [EmailChange]
        var beneficiary: BeneficiaryStatus?
        var consents: [ConsentRecord]
        var sessions: [Session]
        var apiKeys: [APIKeyInfo]
        var reservations: [String]
        struct OrganisationEntry: Encodable {
            var id: String
            var name: String
            var kind: String
            var role: String
        }
        struct EmailChange: Encodable {
            var newEmail: String
            var requestedAt: Date
            var expiresAt: Date
        }
        struct Session: Encodable {
            var id: String
            var createdAt: Date
            var expiresAt: Date
            var revokedAt: Date?
        }
    }

    func export(accountID: String, in db: Database) throws -> Data {
        let sessions = try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE account_id = ? ORDER BY created_at", arguments: [accountID])
            .map(SQLiteAccountStore.session)
            .map { Export.Session(id: $0.id, createdAt: $0.createdAt, expiresAt: $0.expiresAt, revokedAt: $0.revokedAt) }
        let beneficiary = try Row.fetchOne(db, sql: "SELECT * FROM beneficiaries WHERE account_id = ?", arguments: [accountID]).map {
            BeneficiaryStatus(
                code: $0["code"], verifiedBy: $0["verified_by"], verifiedAt: SQLiteAccountStore.date($0["verified_at"]) ?? .distantPast,
                validUntil: SQLiteAccountStore.date($0["valid_until"]) ?? .distantPast)
        }
        return try ExportJSON.encode(Export(
            account: try SQLiteAccountStore.loadAccount(db, where: "id = ?", accountID)?.account,
            memberships: try SQLiteAccountStore.memberships(db, "account_id = ?", accountID),
            organisations: try Row.fetchAll(db, sql: """
                SELECT o.id, o.name, o.kind, m.role FROM organisations o JOIN organisation_members m ON m.organisation_id = o.id
                WHERE m.account_id = ? ORDER BY o.name
                """, arguments: [accountID]).map { .init(id: $0["id"], name: $0["name"], kind: $0["kind"], role: $0["role"]) },
            pendingEmailChanges: try EmailChangeRow
                .filter(EmailChangeRow.Columns.accountId == accountID && EmailChangeRow.Columns.confirmedAt == nil)
                .fetchAll(db).map { .init(newEmail: $0.newEmail, requestedAt: $0.createdAt, expiresAt: $0.expiresAt) },
            beneficiary: beneficiary,
            consents: try ConsentRow.filter(ConsentRow.Columns.accountId == accountID).order(ConsentRow.Columns.id).fetchAll(db).map(\.record),
            sessions: sessions,
            apiKeys: try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at", arguments: [accountID])
                .map(SQLiteAccountStore.keyInfo),
            reservations: try String.fetchAll(db, sql: "SELECT id FROM reservation_index WHERE taker_id = ? ORDER BY id", arguments: [accountID])))
    }

    func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount {
        let accountID = erased.accountID
        var count = ErasureCount()
        // An organisation whose only member is the person may bear their name (a sole trader's):
        // its name goes; the organisation stays, for the lots and bindings that refer to it.
        try db.execute(
            sql: """
                UPDATE organisations SET name = ?
                WHERE id IN (SELECT organisation_id FROM organisation_members WHERE account_id = ?)
                  AND NOT EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = organisations.id AND m.account_id <> ?)
                """,
            arguments: [Erased.text, accountID, accountID])
        count.rows += db.changesCount
        // Roles, memberships, sessions, API keys, consents, resets and email changes cascade.
        try db.execute(sql: "DELETE FROM accounts WHERE id = ?", arguments: [accountID])
        count.rows += db.changesCount
        for table in ["beneficiaries", "reservation_index"] {
            let column = table == "beneficiaries" ? "account_id" : "taker_id"
            try db.execute(sql: "DELETE FROM \(table) WHERE \(column) = ?", arguments: [accountID])
            count.rows += db.changesCount
        }
        count.events += try Outbox.rewrite(topics: [AccountCreated.topic], containing: accountID, as: AccountCreated.self, in: db) { event in
            guard event.accountID == accountID else { return false }
            event.email = Erased.email
            event.displayName = Erased.text
            return true
        }
        count.events += try Outbox.rewrite(topics: [AccountEmailChanged.topic], containing: accountID, as: AccountEmailChanged.self, in: db) { event in
            guard event.accountID == accountID else { return false }
            event.email = Erased.email
            return true
        }
        count.events += try Outbox.rewrite(topics: [AccountSnapshot.topic], containing: accountID, as: AccountSnapshot.self, in: db) { event in
            guard event.accountID == accountID else { return false }
            event.email = Erased.email
            event.displayName = Erased.text
            return true
        }
        return count
    }
}
