import EcoModel
import Foundation
import GRDB

/// A row of `consents`: one consent given, and when it was withdrawn.
struct ConsentRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "consents"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64?
    var accountId: String
    var purpose: ConsentPurpose
    var version: String
    var grantedAt: Date
    var withdrawnAt: Date?

    enum Columns {
        static let accountId = Column("account_id")
        static let purpose = Column("purpose")
        static let withdrawnAt = Column("withdrawn_at")
        static let id = Column("id")
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var record: ConsentRecord { ConsentRecord(purpose: purpose, version: version, grantedAt: grantedAt, withdrawnAt: withdrawnAt) }
}

extension ConsentPurpose: DatabaseValueConvertible {}

/// A row of `password_resets`: a single-use token (its hash) that sets a new password.
struct PasswordResetRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "password_resets"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var tokenHash: String
    var accountId: String
    var createdAt: Date
    var expiresAt: Date
    var usedAt: Date?

    enum Columns {
        static let tokenHash = Column("token_hash")
        static let accountId = Column("account_id")
        static let createdAt = Column("created_at")
        static let expiresAt = Column("expires_at")
        static let usedAt = Column("used_at")
    }
}

/// A row of `email_changes`: a new address waiting for its confirmation token.
struct EmailChangeRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "email_changes"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var tokenHash: String
    var accountId: String
    var newEmail: String
    var createdAt: Date
    var expiresAt: Date
    var confirmedAt: Date?

    enum Columns {
        static let tokenHash = Column("token_hash")
        static let accountId = Column("account_id")
        static let expiresAt = Column("expires_at")
        static let confirmedAt = Column("confirmed_at")
    }
}
