import EcoStore
import Foundation
import GRDB

/// Short codes a person shows an association to be verified as a beneficiary, so that the
/// association never has to know their account id (`GET /v1/me/verification-code`). A code is
/// 8 characters people do not confuse, works for 30 minutes and once; a new one replaces the last.
/// Only its SHA-256 is stored.
public struct VerificationCodes: Sendable {
    public static let migrations: [Migration] = [
        Migration("gateway.v7.verification-codes") { db in
            try db.execute(sql: """
                CREATE TABLE verification_codes (
                    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    code_hash TEXT NOT NULL UNIQUE,
                    expires_at TEXT NOT NULL
                );
                """)
        },
    ]

    public static let lifetime: TimeInterval = 30 * 60
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    static let length = 8

    struct Row: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "verification_codes"
        static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
        static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

        var accountId: String
        var codeHash: String
        var expiresAt: Date

        enum Columns {
            static let accountId = Column("account_id")
            static let codeHash = Column("code_hash")
            static let expiresAt = Column("expires_at")
        }
    }

    /// What `GET /v1/me/verification-code` answers.
    public struct Issued: Codable, Sendable {
        public var code: String
        public var expiresAt: Date
    }

    let database: any DatabaseWriter
    let clock: @Sendable () -> Date

    public init(database: any DatabaseWriter, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.clock = clock
    }

    /// A new code for the account, replacing any earlier one.
    public func issue(for accountID: String) async throws -> Issued {
        var generator = SystemRandomNumberGenerator()
        let code = String((0..<Self.length).map { _ in Self.alphabet.randomElement(using: &generator)! })
        let expires = clock().addingTimeInterval(Self.lifetime)
        try await database.write { db in
            try Row(accountId: accountID, codeHash: Self.hash(code), expiresAt: expires).save(db)
        }
        return Issued(code: String(code.prefix(4)) + "-" + String(code.suffix(4)), expiresAt: expires)
    }

    /// The account that showed `code`, if it is current; the code is used up.
    public func redeem(_ code: String) async throws -> String? {
        let hash = Self.hash(Self.normalised(code))
        let now = clock()
        return try await database.write { db in
            guard let row = try Row.filter(Row.Columns.codeHash == hash).fetchOne(db) else { return nil }
            try row.delete(db)
            return row.expiresAt > now ? row.accountId : nil
        }
    }

    /// Codes are read out and typed: case, spaces and dashes do not matter.
    static func normalised(_ code: String) -> String {
        code.uppercased().filter { !$0.isWhitespace && $0 != "-" }
    }

    static func hash(_ code: String) -> String { SecretHash.hex(code) }
}
