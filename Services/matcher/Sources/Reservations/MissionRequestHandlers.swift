import EcoBus
import EcoModel
import Foundation
import Logging

/// A matcher worker's answers about collector missions on its lots. Delivery codes come from the
/// pickup validator, which derives them (docs/decisions/0006).
public struct MissionRequestHandlers: Sendable {
    let missions: MissionBook
    let pickupValidator: PickupValidatorClient
    let logger: Logger

    public init(missions: MissionBook, loop: SocketLoop, pickupValidator: String, logger: Logger) {
        self.missions = missions
        self.pickupValidator = PickupValidatorClient(loop: loop, endpoint: pickupValidator, logger: logger)
        self.logger = logger
    }

    public var handlers: [String: RequestHandler] {
        [
            MissionRequests.create: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Create.self, body)
                try await missions.book.refuseUnlessHeld(request.lotId)
                if let baskets = request.baskets, !(1...500).contains(baskets) {
                    throw RemoteError.invalid("baskets", "baskets must be between 1 and 500")
                }
                var created = try await missions.create(request)
                // The mission is made: a silent validator must not turn that into a failure (the
                // caller would ask again and make a second one). The association asks `deliveryCode` later.
                do {
                    created.deliveryCode = try await pickupValidator.deliveryCode(reservation: created.mission.reservationId, timeout: .milliseconds(500))
                } catch {
                    logger.warning("a mission was made without its delivery code; its association asks for it again", metadata: [
                        "mission.id": "\(created.mission.id)", "error": "\(error)",
                    ])
                }
                return [try EventCodec.encoder.encode(created)]
            },
            MissionRequests.accept: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Accept.self, body)
                return [try EventCodec.encoder.encode(try await heldHere(request.lotId) { try await missions.accept(request) })]
            },
            MissionRequests.deliver: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Deliver.self, body)
                let delivered = try await heldHere(request.lotId) {
                    try await missions.deliver(request) { mission, legacyHash in
                        try await pickupValidator.checkDelivery(reservation: mission.reservationId, code: request.deliveryCode, legacyHash: legacyHash)
                    }
                }
                return [try EventCodec.encoder.encode(delivered)]
            },
            MissionRequests.deliveryCode: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.DeliveryCodeOf.self, body)
                let mission = try await heldHere(request.lotId) { try await missions.forDeliveryCode(request) }
                let code = try await pickupValidator.deliveryCode(reservation: mission.reservationId)
                return [try EventCodec.encoder.encode(PickupRequests.DeliveryCode(reservationId: mission.reservationId, code: code))]
            },
            MissionRequests.get: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Get.self, body)
                guard let mission = try await missions.mission(id: request.missionId, visibleTo: request.viewer) else {
                    if let lotId = request.lotId { try await missions.book.refuseUnlessHeld(lotId) }
                    throw RemoteError.notFound("no mission \(request.missionId)")
                }
                return [try EventCodec.encoder.encode(mission)]
            },
            MissionRequests.list: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.List.self, body)
                return [try EventCodec.encoder.encode(MissionRequests.Page(items: try await missions.list(request)))]
            },
        ]
    }

    /// `command`'s answer; a mission not found here, on a lot this worker does not hold, is refused
    /// as held elsewhere or moving (docs/decisions/0017), so that the gateway asks its holder.
    private func heldHere(_ lotId: String?, _ command: () async throws -> Mission) async throws -> Mission {
        do {
            return try await command()
        } catch let error as RemoteError where error.code == RemoteError.notFound("").code {
            if let lotId { try await missions.book.refuseUnlessHeld(lotId) }
            throw error
        }
    }
}
