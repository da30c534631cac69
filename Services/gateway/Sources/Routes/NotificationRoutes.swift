import EcoConfig
import EcoModel
import Hummingbird

/// `/v1/me/notifications`: the signed-in person's in-app inbox, newest first.
public struct NotificationRoutes: Sendable {
    let services: ServiceCaller
    static let notifications = ServiceInstance(.notifications)

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account.
        router.get("/v1/me/notifications") { request, context in
            let principal = try context.requirePrincipal()
            let page = try Page(from: request)
            return try JSONResponse.make(.ok, try await services.call(
                Self.notifications, NotificationRequests.list,
                NotificationRequests.List(accountId: principal.accountID, limit: page.limit, cursor: page.cursor), as: NotificationRequests.Page.self))
        }
        // Roles: any signed-in account (its own notifications).
        router.post("/v1/me/notifications/:id/read") { _, context in
            let principal = try context.requirePrincipal()
            let markRead = NotificationRequests.MarkRead(accountId: principal.accountID, notificationId: context.parameters.get("id") ?? "")
            _ = try await services.call(Self.notifications, NotificationRequests.markRead, markRead, as: [String: String].self)
            return JSONResponse.noContent()
        }
    }
}
