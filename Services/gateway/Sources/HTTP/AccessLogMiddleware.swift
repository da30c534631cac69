import EcoBus
import Foundation
import Hummingbird
import Logging

/// One line per HTTP request, at `info`: method, route (the matched pattern, so no ids or query
/// values reach the log), status and duration. Inside `TraceMiddleware`, each line names the
/// request's `correlation.id`. Client addresses are not logged (docs/privacy.md). The probes'
/// paths (`unlogged`), asked every few seconds by orchestrators and scrapers, are counted in the
/// HTTP metrics but not logged.
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public static var unlogged: Set<String> { ["/healthz", "/readyz", "/metrics"] }
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.unlogged.contains(request.uri.path) else { return try await next(request, context) }
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: started)
            return response
        } catch let refusal as APIError {
            log(request, context: context, status: refusal.status.code, since: started)
            throw refusal
        } catch {
            log(request, context: context, status: 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        logger.info("http request", metadata: [
            "http.method": "\(request.method.rawValue)",
            "http.route": "\(context.endpointPath ?? "NotFound")",
            "http.status": "\(status)",
            "duration.ms": "\(started.millisecondsToNow)",
        ])
    }
}
