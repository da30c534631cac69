import EcoModel
import Foundation
import Hummingbird

/// `/v1/api-keys`: keys for machine clients (municipal systems, ERPs). A key acts as its account,
/// with that account's roles. The secret is shown once, at creation; only its hash is stored.
public struct APIKeyRoutes: Sendable {
    let accounts: any AccountStore
    let keys: any APIKeyStore

    /// Roles that may hold keys for themselves; admins make keys for any account.
    static let selfServiceRoles: Set<Role> = [.merchant, .association, .municipality, .admin]
    static let nameMaximum = 80

    struct Create: Codable {
        var name: String
        var accountId: String?
    }

    struct Created: Codable {
        var key: APIKeyInfo
        /// The whole key, to send as `Authorization: Bearer <apiKey>`. Shown only now.
        var apiKey: String
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: merchant, association, municipality (for themselves), admin (for anyone).
        router.post("/v1/api-keys") { request, context in
            let principal = try context.require(Self.selfServiceRoles)
            let body = try await RequestBody.decode(Create.self, from: request, context: context)
            let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= Self.nameMaximum else {
                throw APIError.invalid("name", "name must have 1 to \(Self.nameMaximum) characters")
            }
            let owner = body.accountId ?? principal.accountID
            if owner != principal.accountID, !principal.roles.contains(.admin) {
                throw APIError(.forbidden, code: "forbidden", message: "only an admin makes keys for another account", field: "accountId")
            }
            guard case .session = principal.credential else {
                throw APIError(.forbidden, code: "forbidden", message: "API keys are made by a signed-in person, not by another key")
            }
            let key = APIKey.generate()
            do {
                let info = try await keys.createKey(
                    id: key.id, accountID: owner, name: name, secretHash: SecretHash.hex(key.secret), createdBy: principal.accountID)
                return try JSONResponse.make(.created, Created(key: info, apiKey: key.presented))
            } catch AccountStoreError.notFound {
                throw APIError(.notFound, code: "not_found", message: "no account \(owner)", field: "accountId")
            }
        }
        // Roles: any signed-in account (its own keys); admin with ?accountId=.
        router.get("/v1/api-keys") { request, context in
            let principal = try context.requirePrincipal()
            let requested = request.uri.queryParameters["accountId"].map(String.init)
            let owner = requested ?? principal.accountID
            if owner != principal.accountID, !principal.roles.contains(.admin) { throw APIError.forbidden([.admin]) }
            return try JSONResponse.make(.ok, ["items": try await keys.keys(of: owner)])
        }
        // Roles: the key's account, admin.
        router.delete("/v1/api-keys/:id") { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let caller = Actor(accountId: principal.accountID, organisationIds: [], isAdmin: principal.roles.contains(.admin))
            guard try await keys.key(id: id, visibleTo: caller) != nil else {
                throw APIError(.notFound, code: "not_found", message: "no API key \(id)")
            }
            try await keys.revokeKey(id: id, at: Date())
            return JSONResponse.noContent()
        }
    }
}
