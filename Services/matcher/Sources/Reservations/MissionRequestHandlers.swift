import EcoBus
import EcoModel
import Foundation

/// A matcher worker's answers about collector missions on its lots.
public struct MissionRequestHandlers: Sendable {
    let missions: MissionBook

    public init(missions: MissionBook) { self.missions = missions }

    public var handlers: [String: RequestHandler] {
        [
            MissionRequests.create: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Create.self, body)
                try await missions.book.refuseUnlessHeld(request.lotId)
                if let baskets = request.baskets, !(1...500).contains(baskets) {
                    throw RemoteError.invalid("baskets", "baskets must be between 1 and 500")
                }
                return [try EventCodec.encoder.encode(try await missions.create(request))]
            },
            MissionRequests.accept: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Accept.self, body)
                return [try EventCodec.encoder.encode(try await heldHere(request.lotId) { try await missions.accept(request) })]
            },
            MissionRequests.deliver: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Deliver.self, body)
                return [try EventCodec.encoder.encode(try await heldHere(request.lotId) { try await missions.deliver(request) })]
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
