import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `/v1/me/lots`: a merchant's own lots (and their organisations'), and the reservations waiting
/// at the counter for one of them.
public struct MyLotRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    /// Where each food lot's commands go (docs/decisions/0017).
    let holders: LotHolderDirectory

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: merchant (their lots and their organisations' lots).
        router.get("/v1/me/lots") { request, context in
            let principal = try context.require([.merchant])
            let page = try Page(from: request)
            let list = LotRequests.ListMine(
                actor: try await accounts.actor(for: principal), status: try request.enumQuery("status", as: LotStatus.self),
                limit: page.limit, cursor: page.cursor)
            return try JSONResponse.make(.ok, try await services.call(LotRoutes.ingest, LotRequests.listMine, list, as: LotRequests.DetailPage.self))
        }
        // Roles: merchant (the lot's own, or a member of its organisation), admin.
        router.get("/v1/me/lots/:id/reservations") { request, context in
            let principal = try context.require([.merchant, .admin])
            let lotId = context.parameters.get("id") ?? ""
            let actor = try await accounts.actor(for: principal)
            let get = LotRequests.Get(lotId: lotId, includeFree: true, viewerId: principal.accountID)
            let lot = try await services.call(LotRoutes.ingest, LotRequests.get, get, as: Lot.self)
            let mayServe = actor.isAdmin || lot.merchantId == actor.accountId
                || (lot.draft.organisationId.map(actor.organisationIds.contains) ?? false)
            // Someone else's lot is answered as unknown: its counter is not theirs to see.
            guard mayServe else { throw APIError(.notFound, code: "not_found", message: "you have no lot \(lotId)") }
            let list = ReservationRequests.ListForLot(lotId: lotId, status: try request.enumQuery("status", as: ReservationStatus.self))
            return try JSONResponse.make(.ok, try await services.call(
                lot: lotId, holders: holders, ReservationRequests.listForLot, list, as: ReservationRequests.Counter.self))
        }
    }
}
