import HTTPTypes
import Hummingbird

/// Sets `GatewayRequestContext.clientAddress` from the peer and, behind a trusted proxy, from
/// `X-Forwarded-For`, so that per-address limits count citizens, not the proxy.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    let proxies: TrustedProxies

    public init(proxies: TrustedProxies) { self.proxies = proxies }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = proxies.clientAddress(peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor])
        return try await next(request, context)
    }
}
