import EcoConfig
import EcoModel
import Hummingbird

/// `/v1/me/subscriptions`: what a person wants to hear about from the community feed (chapters or
/// kinds, within a radius of a place).
public struct SubscriptionRoutes: Sendable {
    let services: ServiceCaller
    static let notifications = ServiceInstance(.notifications)

    struct Body: Decodable {
        var chapters: [String]?
        var kinds: [ListingKind]?
        var latitude: Double
        var longitude: Double
        var radiusKm: Double
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account.
        router.post("/v1/me/subscriptions") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await RequestBody.decode(Body.self, from: request, context: context)
            let create = SubscriptionRequests.Create(
                accountId: principal.accountID, chapters: body.chapters, kinds: body.kinds, latitude: body.latitude, longitude: body.longitude,
                radiusKm: body.radiusKm)
            return try JSONResponse.make(.created, try await services.call(Self.notifications, SubscriptionRequests.create, create, as: FeedSubscription.self))
        }
        // Roles: any signed-in account (its own subscriptions; at most 20).
        router.get("/v1/me/subscriptions") { _, context in
            let principal = try context.requirePrincipal()
            return try JSONResponse.make(.ok, try await services.call(
                Self.notifications, SubscriptionRequests.list, SubscriptionRequests.ForAccount(accountId: principal.accountID),
                as: SubscriptionRequests.List.self))
        }
        // Roles: any signed-in account (its own subscriptions).
        router.delete("/v1/me/subscriptions/:id") { _, context in
            let principal = try context.requirePrincipal()
            let request = SubscriptionRequests.ForAccount(accountId: principal.accountID, subscriptionId: context.parameters.get("id") ?? "")
            _ = try await services.call(Self.notifications, SubscriptionRequests.delete, request, as: [String: String].self)
            return JSONResponse.noContent()
        }
    }
}
