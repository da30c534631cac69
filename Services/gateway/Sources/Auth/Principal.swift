import EcoModel

/// Who is calling, as established by `AuthenticationMiddleware`.
public struct Principal: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        case session(id: String)
        case apiKey(id: String)
    }

    public let accountID: String
    /// Stored roles, plus `beneficiary` while a verification is valid.
    public let roles: Set<Role>
    public let credential: Credential

    public init(accountID: String, roles: Set<Role>, credential: Credential) {
        self.accountID = accountID
        self.roles = roles
        self.credential = credential
    }

    public func has(anyOf wanted: Set<Role>) -> Bool { !roles.isDisjoint(with: wanted) }
}

extension GatewayRequestContext {
    /// The caller, or 401.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthenticated }
        return principal
    }

    /// The caller if they hold one of `roles`; 401 without credentials, 403 without the role.
    public func require(_ roles: Set<Role>) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.has(anyOf: roles) else { throw APIError.forbidden(roles) }
        return principal
    }
}
