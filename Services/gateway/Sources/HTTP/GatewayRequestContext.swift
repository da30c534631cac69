import Hummingbird
import Logging

/// The request context of every gateway route: Hummingbird's core storage plus who is calling.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` when the request carries a valid token or API key.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        principal = nil
    }

    /// JSON bodies are small: 1 MiB at most (photos go through their own endpoints).
    public var maxUploadSize: Int { 1 << 20 }
}
