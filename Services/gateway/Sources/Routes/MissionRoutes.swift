import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `/v1/missions`: associations ask for lots to be collected; collectors accept, collect with the
/// lot's QR + PIN at the merchant's counter, and deliver against the association's code (derived
/// by the pickup validator, and given to the association again on request).
public struct MissionRoutes: Sendable {
    let index: MissionIndex
    let services: ServiceCaller
    /// Where each food lot's commands go (docs/decisions/0017).
    let holders: LotHolderDirectory

    struct Create: Codable {
        var lotId: String
        var baskets: Int?
    }

    struct Deliver: Codable {
        var deliveryCode: String
    }

    struct DeliveryCode: Codable {
        var missionId: String
        var deliveryCode: String
    }


    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: association.
        router.post("/v1/missions") { request, context in
            let principal = try context.require([.association])
            let body = try await RequestBody.decode(Create.self, from: request, context: context)
            let created = try await services.call(
                lot: body.lotId, holders: holders, MissionRequests.create,
                MissionRequests.Create(lotId: body.lotId, associationId: principal.accountID, baskets: body.baskets), as: MissionRequests.Created.self)
            try await index.record(created.mission)
            return try JSONResponse.make(.created, created)
        }
        // Roles: collector (missions waiting for one, or ?mine=true), association (its own), admin.
        router.get("/v1/missions") { request, context in
            let principal = try context.require([.collector, .association, .admin])
            let mine = request.uri.queryParameters["mine"] == "true" || !principal.has(anyOf: [.collector, .admin])
            var status: MissionStatus? = mine ? nil : .requested
            if let text = request.uri.queryParameters["status"].map(String.init) {
                guard let value = MissionStatus(rawValue: text) else { throw APIError.invalid("status", "unknown status \(text)") }
                status = value
            }
            let list = MissionRequests.List(status: status, accountId: mine ? principal.accountID : nil)
            let items = try await MatcherFanOut(services: services, holders: holders).gather(MissionRequests.list, list, as: MissionRequests.Page.self)
                .flatMap(\.items)
            return try JSONResponse.make(.ok, ["items": items.sorted { $0.createdAt > $1.createdAt }])
        }
        // Roles: the mission's association or collector, collectors (while it waits for one), admin.
        router.get("/v1/missions/:id") { _, context in
            let (mission, _) = try await load(context)
            return try JSONResponse.make(.ok, mission)
        }
        // Roles: collector.
        router.post("/v1/missions/:id/accept") { _, context in
            let principal = try context.require([.collector])
            let (mission, _) = try await load(context)
            return try JSONResponse.make(.ok, try await services.call(
                lot: mission.lotId, holders: holders, MissionRequests.accept,
                MissionRequests.Accept(missionId: mission.id, collectorId: principal.accountID, lotId: mission.lotId), as: Mission.self))
        }
        // Roles: the mission's collector.
        router.get("/v1/missions/:id/pickup-code") { _, context in
            let (mission, principal) = try await load(context)
            guard mission.collectorId == principal.accountID else {
                // Only those who may see the mission get this far (its association, an admin).
                throw APIError(.forbidden, code: "forbidden", message: "only the collector who accepted the mission gets its pickup code")
            }
            return try JSONResponse.make(.ok, try await services.call(
                ServiceInstance(.pickupValidator), PickupRequests.code, PickupRequests.CodeQuery(reservationId: mission.reservationId),
                as: PickupRequests.PickupCode.self))
        }
        // Roles: the mission's association (it gives the code to the collector at the door).
        router.get("/v1/missions/:id/delivery-code") { _, context in
            let (mission, principal) = try await load(context)
            guard mission.associationId == principal.accountID else {
                throw APIError(.forbidden, code: "forbidden", message: "only the mission's association gets its delivery code")
            }
            let code = try await services.call(
                lot: mission.lotId, holders: holders, MissionRequests.deliveryCode,
                MissionRequests.DeliveryCodeOf(missionId: mission.id, associationId: principal.accountID, lotId: mission.lotId),
                as: PickupRequests.DeliveryCode.self)
            return try JSONResponse.make(.ok, DeliveryCode(missionId: mission.id, deliveryCode: code.code))
        }
        // Roles: the mission's collector or association.
        router.post("/v1/missions/:id/delivery") { request, context in
            let (mission, principal) = try await load(context)
            guard [mission.associationId, mission.collectorId].contains(principal.accountID) else {
                throw APIError(.forbidden, code: "forbidden", message: "only the mission's collector or association records its delivery")
            }
            let body = try await RequestBody.decode(Deliver.self, from: request, context: context)
            guard body.deliveryCode.count == 6, body.deliveryCode.allSatisfy(\.isNumber) else {
                throw APIError.invalid("deliveryCode", "deliveryCode has six digits")
            }
            return try JSONResponse.make(.ok, try await services.call(
                lot: mission.lotId, holders: holders, MissionRequests.deliver,
                MissionRequests.Deliver(missionId: mission.id, actorId: principal.accountID, deliveryCode: body.deliveryCode, lotId: mission.lotId), as: Mission.self))
        }
    }

    /// The mission, if the caller may see it.
    private func load(_ context: GatewayRequestContext) async throws -> (Mission, Principal) {
        let principal = try context.requirePrincipal()
        let id = context.parameters.get("id") ?? ""
        guard let lotId = try await index.lot(ofMission: id) else { throw APIError(.notFound, code: "not_found", message: "no mission \(id)") }
        let viewer = MissionRequests.Viewer(
            accountId: principal.accountID, isAdmin: principal.roles.contains(.admin), isCollector: principal.roles.contains(.collector))
        let mission = try await services.call(lot: lotId, holders: holders, MissionRequests.get, MissionRequests.Get(missionId: id, viewer: viewer, lotId: lotId), as: Mission.self)
        return (mission, principal)
    }
}
