import EcoModel
import Foundation
import Hummingbird

/// `/v1/me` and the admin's account endpoints.
public struct AccountRoutes: Sendable {
    let accounts: any AccountStore

    struct Me: Codable {
        var account: Account
        var roles: [Role]
        var beneficiary: BeneficiaryStatus?
        var organisations: [Membership]
    }

    struct RoleChange: Codable {
        var role: Role
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account.
        router.get("/v1/me") { _, context in
            let principal = try context.requirePrincipal()
            guard let account = try await accounts.account(id: principal.accountID) else { throw APIError.unauthenticated }
            return try JSONResponse.make(.ok, Me(
                account: account, roles: principal.roles.sorted(),
                beneficiary: try await accounts.beneficiary(accountID: account.id),
                organisations: try await accounts.memberships(of: account.id)))
        }
        // Roles: admin.
        router.get("/v1/admin/accounts") { request, context in
            _ = try context.require([.admin])
            do {
                return try JSONResponse.make(.ok, try await accounts.accounts(page: try Page(from: request)))
            } catch AccountStoreError.invalidCursor {
                throw APIError.invalid("cursor", "cursor is not one this API gave")
            }
        }
        // Roles: admin.
        router.post("/v1/admin/accounts/:id/roles") { request, context in
            let admin = try context.require([.admin])
            let body = try await RequestBody.decode(RoleChange.self, from: request, context: context)
            guard Role.grantable.contains(body.role) else {
                throw APIError.invalid("role", "beneficiary comes from a verification: POST /v1/beneficiaries/verifications")
            }
            return try JSONResponse.make(.ok, try await change(body.role, granted: true, request: context, by: admin))
        }
        // Roles: admin.
        router.delete("/v1/admin/accounts/:id/roles/:role") { _, context in
            let admin = try context.require([.admin])
            guard let role = context.parameters.get("role").flatMap(Role.init(rawValue:)) else {
                throw APIError(.notFound, code: "not_found", message: "no such role")
            }
            return try JSONResponse.make(.ok, try await change(role, granted: false, request: context, by: admin))
        }
    }

    private func change(_ role: Role, granted: Bool, request context: GatewayRequestContext, by admin: Principal) async throws -> Account {
        let id = context.parameters.get("id") ?? ""
        do {
            return try await accounts.setRole(role, granted: granted, for: id, by: admin.accountID)
        } catch AccountStoreError.notFound {
            throw APIError(.notFound, code: "not_found", message: "no account \(id)")
        }
    }
}
