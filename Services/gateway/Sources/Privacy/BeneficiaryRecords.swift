import EcoModel
import Foundation
import GRDB

/// A beneficiary's record as its verifier sees it: who, which code, verified when, until when.
public struct BeneficiaryRecord: Codable, Sendable, Equatable {
    public var accountId: String
    public var displayName: String
    public var code: String
    public var verifiedBy: String
    public var verifiedAt: Date
    public var validUntil: Date
}

/// Beneficiary records, scoped in the query by the caller: an association reads the people it
/// verified, an admin reads all, anyone else nothing. The filter is in the SQL, so no route can
/// forget it.
public protocol BeneficiaryRecordStore: Sendable {
    func beneficiaries(visibleTo caller: Actor, page: Page) async throws -> PageResult<BeneficiaryRecord>
    func beneficiary(_ accountID: String, visibleTo caller: Actor) async throws -> BeneficiaryRecord?
}

extension SQLiteAccountStore: BeneficiaryRecordStore {
    public func beneficiaries(visibleTo caller: Actor, page: Page) async throws -> PageResult<BeneficiaryRecord> {
        let offset = try page.offset()
        return try await database.read { db in
            let (condition, arguments) = Self.visibility(caller)
            let rows = try Row.fetchAll(
                db, sql: "\(Self.recordQuery) WHERE \(condition) ORDER BY b.verified_at DESC, b.account_id LIMIT ? OFFSET ?",
                arguments: arguments + [page.limit + 1, offset])
            let items = rows.prefix(page.limit).map(Self.record)
            return PageResult(items: Array(items), nextCursor: rows.count > page.limit ? String(offset + page.limit) : nil)
        }
    }

    public func beneficiary(_ accountID: String, visibleTo caller: Actor) async throws -> BeneficiaryRecord? {
        try await database.read { db in
            let (condition, arguments) = Self.visibility(caller)
            return try Row.fetchOne(db, sql: "\(Self.recordQuery) WHERE b.account_id = ? AND \(condition)", arguments: [accountID] + arguments)
                .map(Self.record)
        }
    }

    static let recordQuery = """
        SELECT b.account_id, b.code, b.verified_by, b.verified_at, b.valid_until, a.display_name
        FROM beneficiaries b JOIN accounts a ON a.id = b.account_id
        """

    /// Who sees which records: admins all, an association those it verified, anyone else none.
    static func visibility(_ caller: Actor) -> (String, StatementArguments) {
        if caller.isAdmin { return ("1", []) }
        return ("b.verified_by = ?", [caller.accountId])
    }

    static func record(_ row: Row) -> BeneficiaryRecord {
        BeneficiaryRecord(
            accountId: row["account_id"], displayName: row["display_name"], code: row["code"], verifiedBy: row["verified_by"],
            verifiedAt: date(row["verified_at"]) ?? .distantPast, validUntil: date(row["valid_until"]) ?? .distantPast)
    }
}
