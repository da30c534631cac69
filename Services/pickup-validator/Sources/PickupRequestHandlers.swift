import EcoBus
import EcoModel
import Foundation

/// The pickup validator's answers: quota claims and releases, pickup codes, and validation.
public struct PickupRequestHandlers: Sendable {
    let desk: PickupDesk

    public init(desk: PickupDesk) { self.desk = desk }

    public var handlers: [String: RequestHandler] {
        [
            PickupRequests.claimQuota: { body in
                try await desk.claim(try Self.decode(PickupRequests.QuotaClaim.self, body))
                return [Data("{}".utf8)]
            },
            PickupRequests.releaseQuota: { body in
                try await desk.release(reservationId: try Self.decode(PickupRequests.QuotaRelease.self, body).reservationId)
                return [Data("{}".utf8)]
            },
            PickupRequests.code: { body in
                let query = try Self.decode(PickupRequests.CodeQuery.self, body)
                return [try EventCodec.encoder.encode(desk.code(for: query.reservationId))]
            },
            PickupRequests.validate: { body in
                let request = try Self.decode(PickupRequests.Validate.self, body)
                return [try EventCodec.encoder.encode(try await desk.validate(request))]
            },
        ]
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [Data]) throws(RemoteError) -> T {
        guard let first = body.first, let value = try? EventCodec.decoder.decode(T.self, from: first) else {
            throw RemoteError.badRequest("body must be one JSON \(T.self)")
        }
        return value
    }
}
