import EcoConfig
import EcoModel
import Hummingbird

/// `/v1/listings`: companies publish surplus materials, equipment and waste with their List of
/// Waste code; each gets an impact label.
public struct ListingRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    static let ingest = ServiceInstance(.ingest)

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: merchant (companies publish as merchants, optionally for their organisation), admin.
        router.post("/v1/listings") { request, context in
            let principal = try context.require([.merchant, .admin])
            let draft = try await RequestBody.decode(ListingDraft.self, from: request, context: context)
            let actor = try await accounts.actor(for: principal)
            return try JSONResponse.make(.created, try await services.call(
                Self.ingest, ListingRequests.create, ListingRequests.Create(actor: actor, draft: draft), as: Listing.self))
        }
        // Roles: merchant (companies), association, admin.
        router.post("/v1/demands") { request, context in
            let principal = try context.require([.merchant, .association, .admin])
            let draft = try await RequestBody.decode(DemandDraft.self, from: request, context: context)
            let actor = try await accounts.actor(for: principal)
            return try JSONResponse.make(.created, try await services.call(
                Self.ingest, DemandRequests.create, DemandRequests.Create(actor: actor, draft: draft), as: Demand.self))
        }
        // Roles: any signed-in account.
        router.get("/v1/listings/:id") { _, context in
            _ = try context.requirePrincipal()
            return try JSONResponse.make(.ok, try await services.call(
                Self.ingest, ListingRequests.get, ListingRequests.Get(listingId: context.parameters.get("id") ?? ""), as: Listing.self))
        }
    }
}
