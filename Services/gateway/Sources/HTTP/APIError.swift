import Foundation
import EcoModel
import Hummingbird

/// An HTTP error with the project's JSON body: `{"error": {"code", "message", "field"?}}`.
public struct APIError: HTTPResponseError, Sendable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var field: String?
    }

    public let status: HTTPResponse.Status
    public let body: Body
    /// Extra response headers, e.g. `Retry-After`.
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.body = Body(code: code, message: message, field: field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(status, ["error": body], headers: headers)
    }

    public static func notFound(_ path: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "no route for \(path)")
    }

    /// 429 with `Retry-After`, the wait also given in the message.
    public static func rateLimited(_ what: String, retryAfter seconds: TimeInterval, code: String = "rate_limited", field: String? = nil) -> APIError {
        let wait = max(1, Int(seconds.rounded(.up)))
        var error = APIError(.tooManyRequests, code: code, message: "\(what); try again in \(wait) s", field: field)
        error.headers[.retryAfter] = "\(wait)"
        return error
    }

    /// 429 for a client that filed its hourly share of reports, with `Retry-After`.
    public static func tooManyFilings(retryAfter seconds: TimeInterval) -> APIError {
        rateLimited("too many reports from you this hour", retryAfter: seconds)
    }

    public static let unavailable = APIError(.serviceUnavailable, code: "unavailable", message: "a service this request needs did not answer in time")

    public static let unauthenticated = APIError(.unauthorized, code: "unauthorized", message: "sign in first: send Authorization: Bearer <access token or API key>")

    public static func forbidden(_ roles: Set<Role>) -> APIError {
        APIError(.forbidden, code: "forbidden", message: "this needs one of the roles: \(roles.sorted().map(\.rawValue).joined(separator: ", "))")
    }

    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_field", message: message, field: field)
    }
}
