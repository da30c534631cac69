import EcoBus
import EcoModel
import Foundation
import GRDB

/// The gateway's accounts, sessions and API keys in its own SQLite file.
public struct SQLiteAccountStore: AccountStore, SessionStore, APIKeyStore {
    let database: any DatabaseWriter
    let outbox: Outbox

    public init(database: any DatabaseWriter, outbox: Outbox) {
        self.database = database
        self.outbox = outbox
    }

    static func newID() -> String { UUID().uuidString.lowercased() }
    static func text(_ date: Date) -> String { EventTime.format(date) }
    static func date(_ text: String?) -> Date? { text.flatMap(EventTime.parse) }

    // MARK: - Accounts

    public func create(_ new: NewAccount) async throws -> Account {
        let account = Account(
            id: Self.newID(), email: new.email, displayName: new.displayName,
            roles: new.roles.sorted(), createdAt: Date())
        let outbox = self.outbox
        do {
            try await database.write { db in
                try db.execute(
                    sql: "INSERT INTO accounts (id, email, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [account.id, account.email, new.passwordHash, account.displayName, Self.text(account.createdAt)])
                for role in account.roles {
                    try db.execute(
                        sql: "INSERT INTO account_roles (account_id, role, granted_by, granted_at) VALUES (?, ?, NULL, ?)",
                        arguments: [account.id, role.rawValue, Self.text(account.createdAt)])
                }
                for (purpose, version) in new.consents.sorted(by: { $0.key < $1.key }) {
                    _ = try Self.grantConsent(purpose, version: version, for: account.id, at: account.createdAt, outbox: nil, in: db)
                }
                try outbox.append(
                    AccountCreated.topic,
                    AccountCreated(
                        accountID: account.id, email: account.email, displayName: account.displayName, roles: account.roles,
                        emailNotifications: new.consents[.emailNotifications] != nil),
                    in: db)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw AccountStoreError.emailTaken
        }
        return account
    }

    public func account(id: String) async throws -> Account? {
        try await database.read { db in try Self.loadAccount(db, where: "id = ?", id)?.account }
    }

    public func credentials(email: String) async throws -> (account: Account, passwordHash: String)? {
        try await database.read { db in try Self.loadAccount(db, where: "email = ?", email) }
    }

    static func loadAccount(_ db: Database, where condition: String, _ value: String) throws -> (account: Account, passwordHash: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE \(condition)", arguments: [value]) else { return nil }
        let id: String = row["id"]
        let account = Account(
            id: id, email: row["email"], displayName: row["display_name"],
            roles: try loadRoles(db, id).sorted(), createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
        return (account, row["password_hash"])
    }

    static func loadRoles(_ db: Database, _ accountID: String) throws -> Set<Role> {
        Set(try String.fetchAll(db.cachedStatement(sql: "SELECT role FROM account_roles WHERE account_id = ?"), arguments: [accountID])
            .compactMap(Role.init(rawValue:)))
    }

    public func roles(of accountID: String) async throws -> Set<Role> {
        try await database.read { db in try Self.loadRoles(db, accountID) }
    }

    public func setRole(_ role: Role, granted: Bool, for accountID: String, by actor: String) async throws -> Account {
        let outbox = self.outbox
        return try await database.write { db in
            guard try Self.loadAccount(db, where: "id = ?", accountID) != nil else { throw AccountStoreError.notFound("account") }
            if granted {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO account_roles (account_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)",
                    arguments: [accountID, role.rawValue, actor, Self.text(Date())])
            } else {
                try db.execute(sql: "DELETE FROM account_roles WHERE account_id = ? AND role = ?", arguments: [accountID, role.rawValue])
            }
            guard let account = try Self.loadAccount(db, where: "id = ?", accountID)?.account else { throw AccountStoreError.notFound("account") }
            if db.changesCount > 0 {
                try outbox.append(AccountRolesChanged.topic, AccountRolesChanged(accountID: accountID, roles: account.roles, changedBy: actor), in: db)
            }
            return account
        }
    }

    public func accounts(page: Page) async throws -> PageResult<Account> {
        try await database.read { db in
            // Keyset pagination on (created_at, id): stable while accounts are added.
            var sql = "SELECT id, created_at FROM accounts"
            var arguments: StatementArguments = []
            if let cursor = page.cursor {
                let parts = cursor.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw AccountStoreError.invalidCursor }
                sql += " WHERE (created_at, id) > (?, ?)"
                arguments = [parts[0], parts[1]]
            }
            sql += " ORDER BY created_at, id LIMIT ?"
            arguments += [page.limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let accounts = try rows.prefix(page.limit).compactMap { row in
                try Self.loadAccount(db, where: "id = ?", row["id"] as String)?.account
            }
            let next = rows.count > page.limit ? rows[page.limit - 1] : nil
            return PageResult(items: accounts, nextCursor: next.map { "\($0["created_at"] as String)|\($0["id"] as String)" })
        }
    }

    // MARK: - Beneficiaries

    public func beneficiary(accountID: String) async throws -> BeneficiaryStatus? {
        try await database.read { db in try Self.loadBeneficiary(db, accountID) }
    }

    static func loadBeneficiary(_ db: Database, _ accountID: String) throws -> BeneficiaryStatus? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM beneficiaries WHERE account_id = ?"), arguments: [accountID]) else {
            return nil
        }
        return BeneficiaryStatus(
            code: row["code"], verifiedBy: row["verified_by"],
            verifiedAt: Self.date(row["verified_at"]) ?? Date(timeIntervalSince1970: 0),
            validUntil: Self.date(row["valid_until"]) ?? Date(timeIntervalSince1970: 0))
    }

    public func recordBeneficiary(_ verified: BeneficiaryVerified) async throws {
        try await database.write { db in try Self.recordBeneficiary(verified, in: db) }
    }

    /// Keeps the newest verification of each account (applied from the event and from the reply).
    static func recordBeneficiary(_ verified: BeneficiaryVerified, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO beneficiaries (account_id, code, verified_by, verified_at, valid_until) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(account_id) DO UPDATE SET code = excluded.code, verified_by = excluded.verified_by,
                    verified_at = excluded.verified_at, valid_until = excluded.valid_until
                WHERE excluded.verified_at >= beneficiaries.verified_at
                """,
            arguments: [verified.accountID, verified.code, verified.verifiedBy, text(verified.verifiedAt), text(verified.validUntil)])
    }

    // MARK: - Organisations

    public func createOrganisation(name: String, kind: OrganisationKind, owner: String) async throws -> Organisation {
        let organisation = Organisation(id: Self.newID(), name: name, kind: kind, createdAt: Date())
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO organisations (id, name, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [organisation.id, name, kind.rawValue, owner, Self.text(organisation.createdAt)])
            try db.execute(
                sql: "INSERT INTO organisation_members (organisation_id, account_id, role, added_at) VALUES (?, ?, ?, ?)",
                arguments: [organisation.id, owner, MemberRole.owner.rawValue, Self.text(organisation.createdAt)])
        }
        return organisation
    }

    public func organisation(id: String) async throws -> Organisation? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM organisations WHERE id = ?", arguments: [id]).map { row in
                Organisation(
                    id: row["id"], name: row["name"], kind: OrganisationKind(rawValue: row["kind"]) ?? .company,
                    createdAt: Self.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    public func organisation(id: String, visibleTo caller: Actor) async throws -> (Organisation, [Membership])? {
        try await database.read { db in
            guard let row = try Row.fetchOne(
                db, sql: """
                    SELECT * FROM organisations o WHERE o.id = ? AND (? OR EXISTS (
                        SELECT 1 FROM organisation_members m WHERE m.organisation_id = o.id AND m.account_id = ?))
                    """,
                arguments: [id, caller.isAdmin, caller.accountId])
            else { return nil }
            let organisation = Organisation(
                id: row["id"], name: row["name"], kind: OrganisationKind(rawValue: row["kind"]) ?? .company,
                createdAt: Self.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
            return (organisation, try Self.memberships(db, "organisation_id = ?", id))
        }
    }

    public func memberships(of accountID: String) async throws -> [Membership] {
        try await database.read { db in
            try Self.memberships(db, "account_id = ?", accountID)
        }
    }

    public func members(of organisationID: String) async throws -> [Membership] {
        try await database.read { db in
            try Self.memberships(db, "organisation_id = ?", organisationID)
        }
    }

    static func memberships(_ db: Database, _ condition: String, _ value: String) throws -> [Membership] {
        try Row.fetchAll(db, sql: "SELECT * FROM organisation_members WHERE \(condition) ORDER BY added_at, account_id", arguments: [value]).map {
            Membership(organisationID: $0["organisation_id"], accountID: $0["account_id"], role: MemberRole(rawValue: $0["role"]) ?? .member)
        }
    }

    public func addMember(_ accountID: String, to organisationID: String, role: MemberRole) async throws -> Membership {
        try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM organisations WHERE id = ?", arguments: [organisationID]) != nil else {
                throw AccountStoreError.notFound("organisation")
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE id = ?", arguments: [accountID]) != nil else {
                throw AccountStoreError.notFound("account")
            }
            do {
                try db.execute(
                    sql: "INSERT INTO organisation_members (organisation_id, account_id, role, added_at) VALUES (?, ?, ?, ?)",
                    arguments: [organisationID, accountID, role.rawValue, Self.text(Date())])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw AccountStoreError.alreadyMember
            }
            return Membership(organisationID: organisationID, accountID: accountID, role: role)
        }
    }

    public func removeMember(_ accountID: String, from organisationID: String) async throws {
        try await database.write { db in
            let members = try Self.memberships(db, "organisation_id = ?", organisationID)
            guard let member = members.first(where: { $0.accountID == accountID }) else { throw AccountStoreError.notFound("membership") }
            if member.role == .owner, members.filter({ $0.role == .owner }).count == 1 { throw AccountStoreError.lastOwner }
            try db.execute(sql: "DELETE FROM organisation_members WHERE organisation_id = ? AND account_id = ?", arguments: [organisationID, accountID])
        }
    }

    // MARK: - Sessions

    public func createSession(accountID: String, refreshHash: String, expiresAt: Date) async throws -> SessionRecord {
        let session = SessionRecord(id: Self.newID(), accountID: accountID, createdAt: Date(), expiresAt: expiresAt, revokedAt: nil)
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO sessions (id, account_id, refresh_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [session.id, accountID, refreshHash, Self.text(session.createdAt), Self.text(expiresAt)])
        }
        return session
    }

    public func rotate(presented: String, next: String, now: Date) async throws -> RefreshOutcome {
        try await database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE refresh_hash = ?", arguments: [presented]) {
                let session = Self.session(row)
                guard session.revokedAt == nil, session.expiresAt > now else { return .invalid }
                try db.execute(
                    sql: "UPDATE sessions SET refresh_hash = ?, previous_hash = ? WHERE id = ?",
                    arguments: [next, presented, session.id])
                return .rotated(session)
            }
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE previous_hash = ?", arguments: [presented]) {
                let session = Self.session(row)
                try db.execute(sql: "UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [Self.text(now), session.id])
                return .reused
            }
            return .invalid
        }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE id = ?"), arguments: [id]).map(Self.session)
        }
    }

    public func revoke(sessionID: String, at date: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [Self.text(date), sessionID])
        }
    }

    static func session(_ row: Row) -> SessionRecord {
        SessionRecord(
            id: row["id"], accountID: row["account_id"], createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            expiresAt: date(row["expires_at"]) ?? Date(timeIntervalSince1970: 0), revokedAt: date(row["revoked_at"]))
    }

    // MARK: - API keys

    public func createKey(id: String, accountID: String, name: String, secretHash: String, createdBy: String) async throws -> APIKeyInfo {
        let info = APIKeyInfo(id: id, accountID: accountID, name: name, createdAt: Date(), revokedAt: nil, lastUsedAt: nil)
        try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE id = ?", arguments: [accountID]) != nil else {
                throw AccountStoreError.notFound("account")
            }
            try db.execute(
                sql: "INSERT INTO api_keys (id, account_id, name, secret_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, accountID, name, secretHash, createdBy, Self.text(info.createdAt)])
        }
        return info
    }

    public func authenticate(id: String, secretHash: String, at date: Date) async throws -> String? {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT account_id, secret_hash, revoked_at FROM api_keys WHERE id = ?", arguments: [id]),
                  (row["revoked_at"] as String?) == nil,
                  SecretHash.equal(row["secret_hash"], secretHash)
            else { return nil }
            try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?", arguments: [Self.text(date), id])
            return row["account_id"]
        }
    }

    public func keys(of accountID: String) async throws -> [APIKeyInfo] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at", arguments: [accountID]).map(Self.keyInfo)
        }
    }

    public func key(id: String) async throws -> APIKeyInfo? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.keyInfo)
        }
    }

    public func key(id: String, visibleTo caller: Actor) async throws -> APIKeyInfo? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ? AND (? OR account_id = ?)", arguments: [id, caller.isAdmin, caller.accountId])
                .map(Self.keyInfo)
        }
    }

    public func revokeKey(id: String, at date: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [Self.text(date), id])
        }
    }

    static func keyInfo(_ row: Row) -> APIKeyInfo {
        APIKeyInfo(
            id: row["id"], accountID: row["account_id"], name: row["name"],
            createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            revokedAt: date(row["revoked_at"]), lastUsedAt: date(row["last_used_at"]))
    }
}
