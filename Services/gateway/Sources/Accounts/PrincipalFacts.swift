import EcoModel
import GRDB

/// What a principal is made of, besides its credential: the account's roles and beneficiary status.
public struct PrincipalFacts: Sendable, Equatable {
    public let roles: Set<Role>
    public let beneficiary: BeneficiaryStatus?
}

extension SQLiteAccountStore {
    /// One read for what every signed-in request needs (before, three reads, each a hop to a
    /// reader and back).
    public func principalFacts(accountID: String) async throws -> PrincipalFacts? {
        try await database.read { db in
            guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM accounts WHERE id = ?"), arguments: [accountID]) != nil else {
                return nil
            }
            return PrincipalFacts(roles: try Self.loadRoles(db, accountID), beneficiary: try Self.loadBeneficiary(db, accountID))
        }
    }
}
