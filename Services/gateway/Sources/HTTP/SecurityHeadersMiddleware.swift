import HTTPTypes
import Hummingbird

/// Adds the security headers to every response, errors included: no MIME sniffing, no framing,
/// no referrer, and a Content-Security-Policy that allows no inline script (pages load their
/// scripts and styles from the gateway itself; JSON answers allow nothing at all).
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// For JSON and other non-page answers.
    public static var apiPolicy: String { "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" }
    /// For HTML pages: scripts, styles and images from the gateway only, never inline.
    public static var pagePolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            Self.secure(&response.headers)
            return response
        } catch let error as HTTPResponseError {
            var response = try error.response(from: request, context: context)
            Self.secure(&response.headers)
            return response
        }
    }

    static func secure(_ headers: inout HTTPFields) {
        let isPage = headers[.contentType]?.lowercased().hasPrefix("text/html") == true
        headers[.contentSecurityPolicy] = isPage ? pagePolicy : apiPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
        headers[.crossOriginOpenerPolicy] = "same-origin"
        headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=(self), payment=()"
        // HTTPS is terminated by the reverse proxy; browsers ignore this header over plain HTTP.
        headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let permissionsPolicy = Self("Permissions-Policy")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
