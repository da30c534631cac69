import EcoBus
import EcoModel
import Foundation

/// The pickup validator's answers: quota claims and releases, pickup codes, validation,
/// collector missions' delivery codes, and the operator's unlocking of locked codes.
public struct PickupRequestHandlers: Sendable {
    let desk: PickupDesk
    let deliveries: DeliveryCodeDesk
    let unlocks: CodeUnlockDesk

    /// The handlers over the pickup desk, the delivery-code desk and the unlock desk.
    public init(desk: PickupDesk, deliveries: DeliveryCodeDesk, unlocks: CodeUnlockDesk) {
        self.desk = desk
        self.deliveries = deliveries
        self.unlocks = unlocks
    }

    public var handlers: [String: RequestHandler] {
        [
            PickupRequests.claimQuota: { body in
                try await desk.claim(try RemoteError.decodeRequest(PickupRequests.QuotaClaim.self, body))
                return [Data("{}".utf8)]
            },
            PickupRequests.releaseQuota: { body in
                try await desk.release(reservationId: try RemoteError.decodeRequest(PickupRequests.QuotaRelease.self, body).reservationId)
                return [Data("{}".utf8)]
            },
            PickupRequests.code: { body in
                let query = try RemoteError.decodeRequest(PickupRequests.CodeQuery.self, body)
                return [try EventCodec.encoder.encode(desk.code(for: query.reservationId))]
            },
            PickupRequests.validate: { body in
                let request = try RemoteError.decodeRequest(PickupRequests.Validate.self, body)
                return [try EventCodec.encoder.encode(try await desk.validate(request))]
            },
            PickupRequests.deliveryCode: { body in
                let query = try RemoteError.decodeRequest(PickupRequests.DeliveryCodeQuery.self, body)
                return [try EventCodec.encoder.encode(deliveries.code(for: query.reservationId))]
            },
            PickupRequests.checkDelivery: { body in
                try await deliveries.check(try RemoteError.decodeRequest(PickupRequests.DeliveryCheck.self, body))
                return [Data("{}".utf8)]
            },
            PickupRequests.unlockCodes: { body in
                [try EventCodec.encoder.encode(try await unlocks.unlock(try RemoteError.decodeRequest(PickupRequests.UnlockCodes.self, body)))]
            },
        ]
    }
}
