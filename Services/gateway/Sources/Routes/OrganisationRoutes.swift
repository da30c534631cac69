import EcoModel
import Hummingbird

/// `/v1/organisations`: shops, companies, associations and municipalities, and who acts for them.
public struct OrganisationRoutes: Sendable {
    let accounts: any AccountStore

    static let nameMaximum = 120

    struct Create: Codable {
        var name: String
        var kind: OrganisationKind
    }

    struct AddMember: Codable {
        var email: String
        var role: MemberRole?
    }

    struct Detail: Codable {
        var organisation: Organisation
        var members: [Membership]
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: merchant, association, municipality, admin.
        router.post("/v1/organisations") { request, context in
            let principal = try context.require([.merchant, .association, .municipality, .admin])
            let body = try await RequestBody.decode(Create.self, from: request, context: context)
            let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= Self.nameMaximum else {
                throw APIError.invalid("name", "name must have 1 to \(Self.nameMaximum) characters")
            }
            let organisation = try await accounts.createOrganisation(name: name, kind: body.kind, owner: principal.accountID)
            return try JSONResponse.make(.created, organisation)
        }
        // Roles: members of the organisation, admin.
        router.get("/v1/organisations/:id") { _, context in
            let (organisation, members) = try await load(context, requireOwner: false)
            return try JSONResponse.make(.ok, Detail(organisation: organisation, members: members))
        }
        // Roles: owners of the organisation, admin.
        router.post("/v1/organisations/:id/members") { request, context in
            let (organisation, _) = try await load(context, requireOwner: true)
            let body = try await RequestBody.decode(AddMember.self, from: request, context: context)
            let email = try CredentialRules.email(body.email)
            guard let account = try await accounts.credentials(email: email)?.account else {
                throw APIError(.notFound, code: "not_found", message: "no account with this email; ask the person to sign up first", field: "email")
            }
            do {
                let membership = try await accounts.addMember(account.id, to: organisation.id, role: body.role ?? .member)
                return try JSONResponse.make(.created, membership)
            } catch AccountStoreError.alreadyMember {
                throw APIError(.conflict, code: "already_member", message: "this account is already a member", field: "email")
            }
        }
        // Roles: owners of the organisation, admin.
        router.delete("/v1/organisations/:id/members/:accountId") { _, context in
            let (organisation, _) = try await load(context, requireOwner: true)
            let accountID = context.parameters.get("accountId") ?? ""
            do {
                try await accounts.removeMember(accountID, from: organisation.id)
            } catch AccountStoreError.notFound {
                throw APIError(.notFound, code: "not_found", message: "no such member")
            } catch AccountStoreError.lastOwner {
                throw APIError(.conflict, code: "last_owner", message: "an organisation keeps at least one owner")
            }
            return JSONResponse.noContent()
        }
    }

    /// The organisation and its members, if the caller may see (or manage) it.
    private func load(_ context: GatewayRequestContext, requireOwner: Bool) async throws -> (Organisation, [Membership]) {
        let principal = try context.requirePrincipal()
        let id = context.parameters.get("id") ?? ""
        guard let (organisation, members) = try await accounts.organisation(id: id, visibleTo: try await accounts.actor(for: principal)) else {
            throw APIError(.notFound, code: "not_found", message: "no organisation \(id)")
        }
        if requireOwner, !principal.roles.contains(.admin),
           members.first(where: { $0.accountID == principal.accountID })?.role != .owner {
            throw APIError(.forbidden, code: "forbidden", message: "only the organisation's owners manage its members")
        }
        return (organisation, members)
    }
}
