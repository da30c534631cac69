import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `/v1/jurisdictions/{id}/webhooks`: an authority's machine endpoints, which receive its
/// jurisdiction's `report.*` events as signed POSTs (kept by the notifications service), and their
/// delivery logs. Open to an admin and to the members of the organisation bound to the jurisdiction.
public struct WebhookRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    static let ingest = ServiceInstance(.ingest)
    static let notifications = ServiceInstance(.notifications)

    struct Body: Decodable {
        var url: String
        var secret: String
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: admin, members of the organisation bound to the jurisdiction.
        router.post("/v1/jurisdictions/:id/webhooks") { request, context in
            let (jurisdictionId, actor) = try await authorize(context)
            let body = try await RequestBody.decode(Body.self, from: request, context: context)
            let register = WebhookRequests.Register(jurisdictionId: jurisdictionId, url: body.url, secret: body.secret, createdBy: actor.accountId)
            return try JSONResponse.make(.created, try await services.call(Self.notifications, WebhookRequests.register, register, as: WebhookSubscription.self))
        }
        // Roles: admin, members of the organisation bound to the jurisdiction.
        router.get("/v1/jurisdictions/:id/webhooks") { _, context in
            let (jurisdictionId, _) = try await authorize(context)
            return try JSONResponse.make(.ok, try await services.call(
                Self.notifications, WebhookRequests.list, WebhookRequests.ForJurisdiction(jurisdictionId: jurisdictionId), as: WebhookRequests.List.self))
        }
        // Roles: admin, members of the organisation bound to the jurisdiction.
        router.delete("/v1/jurisdictions/:id/webhooks/:webhookId") { _, context in
            let (jurisdictionId, _) = try await authorize(context)
            let target = WebhookRequests.Target(jurisdictionId: jurisdictionId, subscriptionId: context.parameters.get("webhookId") ?? "")
            _ = try await services.call(Self.notifications, WebhookRequests.delete, target, as: [String: String].self)
            return JSONResponse.noContent()
        }
        // Roles: admin, members of the organisation bound to the jurisdiction.
        router.get("/v1/jurisdictions/:id/webhooks/:webhookId/deliveries") { request, context in
            let (jurisdictionId, _) = try await authorize(context)
            let page = try Page(from: request)
            let log = WebhookRequests.DeliveryLog(
                jurisdictionId: jurisdictionId, subscriptionId: context.parameters.get("webhookId") ?? "", limit: page.limit, cursor: page.cursor)
            let result = try await services.call(Self.notifications, WebhookRequests.deliveries, log, as: WebhookRequests.DeliveryPage.self)
            return try JSONResponse.make(.ok, PageResult(items: result.items, nextCursor: result.nextCursor))
        }
    }

    /// The path's jurisdiction and the caller, if the caller may manage its webhooks: 401 without
    /// credentials, 404 for a jurisdiction the territory does not have, 403 for anyone but an admin
    /// or a member of the organisation bound to it (ingest keeps the bindings).
    func authorize(_ context: GatewayRequestContext) async throws -> (jurisdictionId: String, actor: Actor) {
        let principal = try context.requirePrincipal()
        let jurisdictionId = context.parameters.get("id") ?? ""
        guard !jurisdictionId.isEmpty, jurisdictionId.count <= 100 else {
            throw APIError(.notFound, code: "not_found", message: "no jurisdiction \(jurisdictionId.prefix(100))")
        }
        let actor = try await accounts.actor(for: principal)
        if actor.isAdmin { return (jurisdictionId, actor) }
        if !actor.organisationIds.isEmpty {
            let bound = try await services.call(
                Self.ingest, ReportStatusRequests.bindings, ReportStatusRequests.Bindings(organisationIds: actor.organisationIds),
                as: [ReportStatusRequests.Bound].self)
            if bound.contains(where: { $0.jurisdictionId == jurisdictionId }) { return (jurisdictionId, actor) }
        }
        // Refused either way; the notifications service knows the territory and says whether it is
        // a jurisdiction at all (404) before the refusal (403).
        _ = try await services.call(
            Self.notifications, WebhookRequests.list, WebhookRequests.ForJurisdiction(jurisdictionId: jurisdictionId), as: WebhookRequests.List.self)
        throw APIError(.forbidden, code: "forbidden", message: "only an admin or a member of the organisation acting for \(jurisdictionId) manages its webhooks")
    }
}
