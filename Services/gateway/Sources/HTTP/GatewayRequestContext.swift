import Hummingbird
import Logging

/// The request context of every gateway route: Hummingbird's core storage plus who is calling.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` when the request carries a valid token or API key.
    public var principal: Principal?
    /// The peer's IP address (a proxy's, behind one).
    public let remoteAddress: String?
    /// The client's address, from the peer or a trusted proxy's `X-Forwarded-For`
    /// (`ClientAddressMiddleware`): who files anonymously, for the filing limit.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        principal = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
        clientAddress = remoteAddress
    }

    /// Who is filing, for `FilingRateLimit`: the account behind a session or API key, else the address.
    var filingClient: FilingRateLimit.Client {
        principal.map { .account($0.accountID) } ?? .address(clientAddress ?? "unknown")
    }

    /// JSON bodies are small: 1 MiB at most (photos go through their own endpoints).
    public var maxUploadSize: Int { 1 << 20 }
}
