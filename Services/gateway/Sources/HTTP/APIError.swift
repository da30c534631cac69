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

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.body = Body(code: code, message: message, field: field)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(status, ["error": body])
    }

    public static func notFound(_ path: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "no route for \(path)")
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
