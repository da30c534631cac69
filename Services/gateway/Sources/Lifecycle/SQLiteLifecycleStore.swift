import EcoBus
import EcoModel
import Foundation
import GRDB

/// The lifecycle tables of the gateway's SQLite file (`gateway.v4.account-lifecycle`).
extension SQLiteAccountStore: LifecycleStore {
    public func passwordHash(accountID: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM accounts WHERE id = ?", arguments: [accountID])
        }
    }

    public func setPasswordHash(_ hash: String, for accountID: String, keepingSession: String?, at date: Date) async throws {
        try await database.write { db in try Self.setPasswordHash(hash, for: accountID, keepingSession: keepingSession, at: date, in: db) }
    }

    static func setPasswordHash(_ hash: String, for accountID: String, keepingSession: String?, at date: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [hash, accountID])
        try db.execute(
            sql: "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND id IS NOT ?",
            arguments: [text(date), accountID, keepingSession])
    }

    public func liveSessions(of accountID: String, at date: Date) async throws -> [SessionRecord] {
        try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sessions WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id",
                arguments: [accountID, Self.text(date)]
            ).map(Self.session)
        }
    }

    public func revokeSession(_ sessionID: String, of accountID: String, at date: Date) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL AND expires_at > ?",
                arguments: [Self.text(date), sessionID, accountID, Self.text(date)])
            return db.changesCount > 0
        }
    }

    // MARK: - Password resets

    public func createPasswordReset(tokenHash: String, accountID: String, at date: Date, expiresAt: Date) async throws {
        try await database.write { db in
            try PasswordResetRow(tokenHash: tokenHash, accountId: accountID, createdAt: date, expiresAt: expiresAt).insert(db)
        }
    }

    public func passwordResets(of accountID: String, since date: Date) async throws -> Int {
        try await database.read { db in
            try PasswordResetRow
                .filter(PasswordResetRow.Columns.accountId == accountID && PasswordResetRow.Columns.createdAt >= date)
                .fetchCount(db)
        }
    }

    public func isLivePasswordReset(tokenHash: String, at date: Date) async throws -> Bool {
        try await database.read { db in
            guard let reset = try PasswordResetRow.fetchOne(db, key: tokenHash) else { return false }
            return reset.usedAt == nil && reset.expiresAt > date
        }
    }

    public func redeemPasswordReset(tokenHash: String, newHash: String, at date: Date) async throws -> String? {
        try await database.write { db in
            guard let reset = try PasswordResetRow.fetchOne(db, key: tokenHash), reset.usedAt == nil, reset.expiresAt > date else { return nil }
            try PasswordResetRow
                .filter(PasswordResetRow.Columns.accountId == reset.accountId && PasswordResetRow.Columns.usedAt == nil)
                .updateAll(db, PasswordResetRow.Columns.usedAt.set(to: date))
            try Self.setPasswordHash(newHash, for: reset.accountId, keepingSession: nil, at: date, in: db)
            return reset.accountId
        }
    }

    // MARK: - Email changes

    public func createEmailChange(tokenHash: String, accountID: String, newEmail: String, at date: Date, expiresAt: Date) async throws {
        try await database.write { db in
            try EmailChangeRow(tokenHash: tokenHash, accountId: accountID, newEmail: newEmail, createdAt: date, expiresAt: expiresAt).insert(db)
        }
    }

    public func confirmEmailChange(tokenHash: String, at date: Date) async throws -> Account? {
        let outbox = self.outbox
        do {
            return try await database.write { db in
                guard var change = try EmailChangeRow.fetchOne(db, key: tokenHash), change.confirmedAt == nil, change.expiresAt > date else { return nil }
                try db.execute(sql: "UPDATE accounts SET email = ? WHERE id = ?", arguments: [change.newEmail, change.accountId])
                change.confirmedAt = date
                try change.update(db)
                // Other pending changes of the account are void once one address is confirmed.
                try EmailChangeRow
                    .filter(EmailChangeRow.Columns.accountId == change.accountId && EmailChangeRow.Columns.confirmedAt == nil)
                    .deleteAll(db)
                try outbox.append(AccountEmailChanged.topic, AccountEmailChanged(accountID: change.accountId, email: change.newEmail), in: db)
                return try Self.loadAccount(db, where: "id = ?", change.accountId)?.account
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw AccountStoreError.emailTaken
        }
    }

    // MARK: - Consents

    public func consents(of accountID: String) async throws -> [ConsentRecord] {
        try await database.read { db in
            try ConsentRow.filter(ConsentRow.Columns.accountId == accountID).order(ConsentRow.Columns.id).fetchAll(db).map(\.record)
        }
    }

    public func grantConsent(_ purpose: ConsentPurpose, version: String, for accountID: String, at date: Date) async throws -> ConsentRecord {
        let outbox = self.outbox
        return try await database.write { db in try Self.grantConsent(purpose, version: version, for: accountID, at: date, outbox: outbox, in: db) }
    }

    /// Records the consent in `db`, closing the live one of the same purpose, and announces it.
    static func grantConsent(_ purpose: ConsentPurpose, version: String, for accountID: String, at date: Date, outbox: Outbox?, in db: Database) throws -> ConsentRecord {
        try live(purpose, of: accountID).updateAll(db, ConsentRow.Columns.withdrawnAt.set(to: date))
        var row = ConsentRow(accountId: accountID, purpose: purpose, version: version, grantedAt: date)
        try row.insert(db)
        try outbox?.append(
            AccountConsentChanged.topic, AccountConsentChanged(accountID: accountID, purpose: purpose, granted: true, version: version, at: date), in: db)
        return row.record
    }

    public func withdrawConsent(_ purpose: ConsentPurpose, for accountID: String, at date: Date) async throws -> Bool {
        let outbox = self.outbox
        return try await database.write { db in
            guard let current = try Self.live(purpose, of: accountID).fetchOne(db) else { return false }
            try Self.live(purpose, of: accountID).updateAll(db, ConsentRow.Columns.withdrawnAt.set(to: date))
            try outbox.append(
                AccountConsentChanged.topic,
                AccountConsentChanged(accountID: accountID, purpose: purpose, granted: false, version: current.version, at: date), in: db)
            return true
        }
    }

    static func live(_ purpose: ConsentPurpose, of accountID: String) -> QueryInterfaceRequest<ConsentRow> {
        ConsentRow.filter(ConsentRow.Columns.accountId == accountID && ConsentRow.Columns.purpose == purpose && ConsentRow.Columns.withdrawnAt == nil)
    }
}
