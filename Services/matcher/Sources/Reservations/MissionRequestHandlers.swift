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
                [try EventCodec.encoder.encode(try await missions.accept(try RemoteError.decodeRequest(MissionRequests.Accept.self, body)))]
            },
            MissionRequests.deliver: { body in
                [try EventCodec.encoder.encode(try await missions.deliver(try RemoteError.decodeRequest(MissionRequests.Deliver.self, body)))]
            },
            MissionRequests.get: { body in
                let request = try RemoteError.decodeRequest(MissionRequests.Get.self, body)
                guard let mission = try await missions.mission(id: request.missionId, visibleTo: request.viewer) else {
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
}
