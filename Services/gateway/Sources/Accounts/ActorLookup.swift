import EcoModel

extension AccountStore {
    /// The caller as the services see an actor: the account, the organisations it acts for, and
    /// whether it is an admin. Every route that changes something on someone's behalf sends this.
    public func actor(for principal: Principal) async throws -> Actor {
        Actor(
            accountId: principal.accountID,
            organisationIds: try await memberships(of: principal.accountID).map(\.organisationID),
            isAdmin: principal.roles.contains(.admin))
    }
}
