import EcoBus
import HTTPTypes
import Hummingbird

/// Gives every HTTP request a trace (docs/decisions/0018): the caller's `traceparent` when it is
/// valid, a new one otherwise. The trace is current while the request is handled, so the bus
/// requests and events it causes carry it and every log line names it (`correlation.id`); the
/// answer, refusals included, carries it back in `traceresponse` (W3C Trace Context Level 2),
/// whose second field is the id to look for in the logs. A streamed body is written under the
/// trace as well.
public struct TraceMiddleware<Context: RequestContext>: RouterMiddleware {
    public static var traceparent: HTTPField.Name { HTTPField.Name("traceparent")! }
    public static var traceresponse: HTTPField.Name { HTTPField.Name("traceresponse")! }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let trace = request.headers[Self.traceparent].flatMap(TraceContext.init(traceparent:))?.child() ?? TraceContext.start()
        do {
            var response = try await TraceContext.$current.withValue(trace) { try await next(request, context) }
            response.headers[Self.traceresponse] = trace.traceparent
            if response.body.contentLength == nil {
                // A streamed body (the report stream's SSE) is written after this returns: it runs under the trace too.
                let body = response.body
                response.body = ResponseBody { writer in
                    try await TraceContext.$current.withValue(trace) { try await body.write(writer) }
                }
            }
            return response
        } catch var refusal as APIError {
            refusal.headers[Self.traceresponse] = trace.traceparent
            throw refusal
        }
    }
}
