import Hummingbird
import Logging

/// Turns every error into the project's JSON error body: Hummingbird's own `HTTPError`s (unknown
/// route, bad method, body too large) keep their status; anything unexpected becomes a logged 500.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Known paths and their methods: a wrong method on a known path is 405, not 404.
    let routes: RouteMethods?

    public init(routes: RouteMethods? = nil) {
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = routes?.methods(for: request.uri.path) ?? []
                guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw APIError.notFound(request.uri.path) }
                var refusal = APIError(
                    .methodNotAllowed, code: "method_not_allowed", message: "\(request.uri.path) answers \(allowed.joined(separator: ", "))")
                refusal.headers[.allow] = allowed.joined(separator: ", ")
                throw refusal
            }
            throw APIError(error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unhandled error", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: status.code >= 500 ? "internal" : "bad_request"
        }
    }
}
