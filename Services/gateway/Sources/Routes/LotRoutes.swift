import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `/v1/lots`: merchants publish, edit and withdraw food lots; everyone browses paid lots, and
/// verified beneficiaries also see free ones.
public struct LotRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    static let ingest = ServiceInstance(.ingest)
    static let defaultRadiusKm = 5.0

    struct Edit: Codable {
        var draft: LotDraft
        var version: Int?
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: merchant.
        router.post("/v1/lots") { request, context in
            let principal = try context.require([.merchant])
            let draft = try await RequestBody.decode(LotDraft.self, from: request, context: context)
            let lot = try await services.call(Self.ingest, LotRequests.create, LotRequests.Create(actor: try await accounts.actor(for: principal), draft: draft), as: Lot.self)
            return try JSONResponse.make(.created, lot)
        }
        // Roles: public; free lots only for verified beneficiaries.
        router.get("/v1/lots") { request, context in
            let search = try Self.search(from: request, principal: context.principal)
            // Ingest writes the page as the API's JSON around the lots' stored bodies: it is forwarded as it is.
            let frames = try await services.frames(Self.ingest, LotRequests.search, [try EventCodec.encoder.encode(search)])
            guard let page = frames.first, page.first == UInt8(ascii: "{") else {
                throw APIError(.badGateway, code: "upstream_error", message: "\(Self.ingest.name) sent an unreadable answer")
            }
            return JSONResponse.forwarded(.ok, page)
        }
        // Roles: public; a free lot only for verified beneficiaries, its merchant and admins.
        router.get("/v1/lots/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            let get = LotRequests.Get(
                lotId: id, includeFree: context.principal?.has(anyOf: [.beneficiary, .admin]) ?? false, viewerId: context.principal?.accountID)
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, LotRequests.get, get, as: LotRequests.Detail.self))
        }
        // Roles: merchant (the lot's own, or a member of its organisation), admin.
        router.put("/v1/lots/:id") { request, context in
            let principal = try context.require([.merchant, .admin])
            let edit = try await RequestBody.decode(Edit.self, from: request, context: context)
            let update = LotRequests.Update(actor: try await accounts.actor(for: principal), lotId: context.parameters.get("id") ?? "", draft: edit.draft, version: edit.version)
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, LotRequests.update, update, as: Lot.self))
        }
        // Roles: merchant (the lot's own, or a member of its organisation), admin.
        router.delete("/v1/lots/:id") { _, context in
            let principal = try context.require([.merchant, .admin])
            let withdraw = LotRequests.Withdraw(actor: try await accounts.actor(for: principal), lotId: context.parameters.get("id") ?? "")
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, LotRequests.withdraw, withdraw, as: Lot.self))
        }
    }

    static func search(from request: Request, principal: Principal?) throws -> LotRequests.Search {
        let query = request.uri.queryParameters
        func number(_ name: String) throws -> Double? {
            guard let text = query[Substring(name)].map(String.init) else { return nil }
            guard let value = Double(text), value.isFinite else { throw APIError.invalid(name, "\(name) must be a number") }
            return value
        }
        func date(_ name: String) throws -> Date? {
            guard let text = query[Substring(name)].map(String.init) else { return nil }
            guard let value = ISO8601DateFormatter().date(from: text) else { throw APIError.invalid(name, "\(name) must be an ISO 8601 date") }
            return value
        }
        guard let lat = try number("lat") else { throw APIError.invalid("lat", "lat and lon are required: where to search from") }
        guard let lon = try number("lon") else { throw APIError.invalid("lon", "lat and lon are required: where to search from") }
        var category: LotCategory?
        if let text = query["category"].map(String.init) {
            guard let value = LotCategory(rawValue: text) else {
                throw APIError.invalid("category", "category must be one of \(LotCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            category = value
        }
        let page = try Page(from: request)
        return LotRequests.Search(
            near: GeoPoint(latitude: lat, longitude: lon), radiusKm: try number("radiusKm") ?? defaultRadiusKm, category: category,
            pickupFrom: try date("pickupFrom"), pickupUntil: try date("pickupUntil"),
            includeFree: principal?.has(anyOf: [.beneficiary, .admin]) ?? false, limit: page.limit, cursor: page.cursor)
    }
}
