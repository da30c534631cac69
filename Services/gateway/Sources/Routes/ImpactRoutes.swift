import EcoConfig
import EcoModel
import Hummingbird

/// `/v1/kpis`: the platform's impact, open to everyone.
public struct ImpactRoutes: Sendable {
    let services: ServiceCaller

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: public.
        router.get("/v1/kpis") { request, _ in
            let merchant = request.uri.queryParameters["merchantId"].map(String.init)
            return try JSONResponse.make(.ok, try await services.call(
                ServiceInstance(.reporting), ReportingRequests.summary, ReportingRequests.Summary(merchantId: merchant), as: ImpactSummary.self))
        }
    }
}
