import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// Sends the gateway's commands and queries to the services over the bus, and turns their answers
/// into HTTP: a service's refusal keeps its meaning (400 with the field, 403, 404, 409), and a
/// service that does not answer in time gives a clear 503.
public struct ServiceCaller: Sendable {
    public let loop: SocketLoop
    public let topology: BusTopology
    public let timeout: Duration

    public init(loop: SocketLoop, topology: BusTopology, timeout: Duration = .seconds(3)) {
        self.loop = loop
        self.topology = topology
        self.timeout = timeout
    }

    public func call<Reply: Decodable>(
        _ instance: ServiceInstance, _ kind: String, _ request: some Encodable, as: Reply.Type = Reply.self
    ) async throws -> Reply {
        let frames = try await frames(instance, kind, [try EventCodec.encoder.encode(request)])
        guard let first = frames.first, let reply = try? EventCodec.decoder.decode(Reply.self, from: first) else {
            throw APIError(.badGateway, code: "upstream_error", message: "\(instance.name) sent an unreadable answer")
        }
        return reply
    }

    /// Sends frames as they are and returns the reply's frames (for bodies that are not one JSON
    /// document, such as photos).
    public func frames(_ instance: ServiceInstance, _ kind: String, _ body: [Data]) async throws -> [Data] {
        do {
            return try await loop.request(topology.routerEndpoint(of: instance), kind: kind, body: body, timeout: timeout)
        } catch {
            throw Self.translate(error, instance: instance)
        }
    }

    static func translate(_ error: BusRequestError, instance: ServiceInstance) -> APIError {
        switch error {
        case .remote(let remote):
            switch remote.code {
            case "invalid_field": return APIError(.badRequest, code: "invalid_field", message: remote.message, field: remote.field)
            case "bad_request": return APIError(.badRequest, code: "bad_request", message: remote.message, field: remote.field)
            case "not_found": return APIError(.notFound, code: "not_found", message: remote.message, field: remote.field)
            case "forbidden": return APIError(.forbidden, code: "forbidden", message: remote.message, field: remote.field)
            case "conflict": return APIError(.conflict, code: "conflict", message: remote.message, field: remote.field)
            case "quota_exceeded":
                var refusal = APIError(.tooManyRequests, code: "quota_exceeded", message: remote.message, field: remote.field)
                refusal.headers[.retryAfter] = "\(Int(PickupRequests.secondsUntilQuotaResets(from: Date()).rounded(.up)))"
                return refusal
            case RemoteError.idempotencyMismatchCode:
                return APIError(.unprocessableContent, code: remote.code, message: remote.message, field: IdempotencyKey.field.rawName)
            case RemoteError.unavailableCode: return APIError(.serviceUnavailable, code: remote.code, message: remote.message)
            // A food lot moving between workers (docs/decisions/0017) takes commands again in a moment.
            case RemoteError.movingCode, RemoteError.heldElsewhereCode:
                var refusal = APIError(.serviceUnavailable, code: "unavailable", message: "\(remote.message) (it is moving between matcher workers); try again in a moment")
                refusal.headers[.retryAfter] = "1"
                return refusal
            case "unsupported_media_type": return APIError(.unsupportedMediaType, code: remote.code, message: remote.message)
            // Pickup refusals keep their own code, so the counter can say exactly why.
            case "invalid_token": return APIError(.badRequest, code: remote.code, message: remote.message, field: "token")
            case "wrong_pin": return APIError(.unprocessableContent, code: remote.code, message: remote.message, field: "pin")
            case "wrong_merchant": return APIError(.forbidden, code: remote.code, message: remote.message)
            case PickupRequests.wrongDeliveryCode: return APIError(.unprocessableContent, code: remote.code, message: remote.message, field: remote.field)
            case "unknown_reservation", "reservation_cancelled", "code_already_used", "code_locked", "window_ended", "window_not_started",
                 "reservation_no_show":
                return APIError(.conflict, code: remote.code, message: remote.message)
            default: return APIError(.badGateway, code: "upstream_error", message: "\(instance.name): \(remote.message)")
            }
        case .timeout, .unavailable, .closed:
            return APIError(.serviceUnavailable, code: "unavailable", message: "\(instance.name) did not answer in time; try again")
        case .malformedReply:
            return APIError(.badGateway, code: "upstream_error", message: "\(instance.name) sent an unreadable answer")
        }
    }
}
