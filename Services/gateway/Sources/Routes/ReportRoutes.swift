import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `/v1/reports`: citizens report environmental problems, signed in or not; each report is routed
/// to its authority by ingest. What anyone reads back carries no personal data.
public struct ReportRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    let filings: FilingRateLimit
    static let ingest = ServiceInstance(.ingest)
    /// Three photos of 2 MiB in base64, and the rest of the report.
    static let bodyLimit = 9 << 20

    struct Photo: Decodable {
        var contentType: String
        /// The photo's bytes, base64.
        var data: String
    }

    struct Body: Decodable {
        var category: String
        var latitude: Double
        var longitude: Double
        var address: String?
        var description: String
        var contact: ReportContact?
        var photos: [Photo]?
        var mediaUrl: String?
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: public (a signed-in reporter is remembered privately).
        router.post("/v1/reports") { request, context in
            if let wait = filings.admit(context.filingClient) { throw APIError.tooManyFilings(retryAfter: wait) }
            let body = try await RequestBody.decode(Body.self, from: request, context: context, limit: Self.bodyLimit)
            let photos = body.photos ?? []
            guard photos.count <= ReportRequests.maximumPhotos else {
                throw APIError(.badRequest, code: "invalid_field", message: "at most \(ReportRequests.maximumPhotos) photos", field: "photos")
            }
            var frames: [Data] = []
            for (index, photo) in photos.enumerated() {
                guard let bytes = Data(base64Encoded: photo.data) else {
                    throw APIError(.badRequest, code: "invalid_field", message: "photos[\(index)].data is not base64", field: "photos[\(index)].data")
                }
                frames.append(bytes)
            }
            let draft = ReportDraft(
                category: body.category, latitude: body.latitude, longitude: body.longitude, address: body.address,
                description: body.description, contact: body.contact, mediaUrl: body.mediaUrl)
            let file = ReportRequests.File(draft: draft, reporterAccountId: context.principal?.accountID, photoTypes: photos.map(\.contentType))
            let reply = try await services.frames(Self.ingest, ReportRequests.file, [try EventCodec.encoder.encode(file)] + frames)
            guard let first = reply.first, let filed = try? EventCodec.decoder.decode(ReportRequests.Filed.self, from: first) else {
                throw APIError(.badGateway, code: "upstream_error", message: "ingest sent an unreadable answer")
            }
            return try JSONResponse.make(filed.linkedToExisting ? .ok : .created, filed)
        }
        // Roles: members of the organisation bound to the report's jurisdiction, admin (who alone reopens).
        router.post("/v1/reports/:id/status") { request, context in
            let principal = try context.requirePrincipal()
            struct Change: Decodable { var status: ReportStatus; var reason: String? }
            let body = try await RequestBody.decode(Change.self, from: request, context: context)
            let change = ReportStatusRequests.Change(
                actor: try await accounts.actor(for: principal), reportId: context.parameters.get("id") ?? "", status: body.status, reason: body.reason)
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportStatusRequests.change, change, as: PublicReport.self))
        }
        // Roles: admin (binds the organisation whose members act for a jurisdiction).
        router.put("/v1/jurisdictions/:id/organisation") { request, context in
            let principal = try context.require([.admin])
            struct Binding: Decodable { var organisationId: String }
            let body = try await RequestBody.decode(Binding.self, from: request, context: context)
            guard try await accounts.organisation(id: body.organisationId) != nil else {
                throw APIError(.badRequest, code: "invalid_field", message: "no organisation \(body.organisationId)", field: "organisationId")
            }
            let bind = ReportStatusRequests.Bind(
                actor: try await accounts.actor(for: principal), jurisdictionId: context.parameters.get("id") ?? "", organisationId: body.organisationId)
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportStatusRequests.bind, bind, as: ReportStatusRequests.Bound.self))
        }
        // Roles: admin (open reports no jurisdiction took, oldest first).
        router.get("/v1/admin/reports/queue") { request, context in
            let principal = try context.require([.admin])
            let page = try Page(from: request)
            let start = try page.offset()
            let list = ReportQueueRequests.List(actor: try await accounts.actor(for: principal), limit: page.limit, offset: start)
            let result = try await services.call(Self.ingest, ReportQueueRequests.list, list, as: ReportQueueRequests.Page.self)
            return try JSONResponse.make(.ok, PageResult(items: result.items, nextCursor: Page.nextCursor(start: start, count: result.items.count, total: result.total)))
        }
        // Roles: admin (sends a report to a jurisdiction by hand).
        router.post("/v1/reports/:id/route") { request, context in
            let principal = try context.require([.admin])
            struct Target: Decodable { var jurisdictionId: String }
            let body = try await RequestBody.decode(Target.self, from: request, context: context)
            let route = ReportQueueRequests.Route(
                actor: try await accounts.actor(for: principal), reportId: context.parameters.get("id") ?? "", jurisdictionId: body.jurisdictionId)
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportQueueRequests.route, route, as: PublicReport.self))
        }
        // Roles: any signed-in account (the reports it filed or supported, with the same filters).
        router.get("/v1/me/reports") { request, context in
            var list = try ReportListQuery.parse(request)
            list.reporterAccountId = try context.requirePrincipal().accountID
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportSearchRequests.list, list, as: ReportSearchRequests.Page.self))
        }
        // Roles: public.
        router.get("/v1/reports") { request, _ in
            let list = try ReportListQuery.parse(request)
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportSearchRequests.list, list, as: ReportSearchRequests.Page.self))
        }
        // Roles: public (the filing's token, given to its filer, is the proof).
        router.delete("/v1/report-filings/:token") { _, context in
            let erase = ReportRequests.EraseFiling(filingId: context.parameters.get("token") ?? "")
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportRequests.eraseFiling, erase, as: ReportRequests.FilingErased.self))
        }
        // Roles: public.
        router.get("/v1/reports/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard id.count <= 64 else { throw APIError(.notFound, code: "not_found", message: "no report \(id)") }
            return try JSONResponse.make(.ok, try await services.call(Self.ingest, ReportRequests.get, ReportRequests.Get(reportId: id), as: PublicReport.self))
        }
    }
}
