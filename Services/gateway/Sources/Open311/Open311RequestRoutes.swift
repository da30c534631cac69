import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// Open311 GeoReport v2 service requests: filing one (`POST requests`, form-encoded, with an
/// `api_key`), following a token, and reading requests back with the specification's filters.
/// Ingest files and answers, so a client reads back at once what it just filed.
package struct Open311RequestRoutes: Sendable {
    let services: ServiceCaller
    let resolver: PrincipalResolver
    let filings: FilingRateLimit
    let origin: PublicOrigin
    static let ingest = ServiceInstance(.ingest)

    /// The form fields a filing may carry, and what each becomes.
    static let fields: Set<String> = [
        "api_key", "service_code", "lat", "long", "address_string", "description", "email", "first_name", "last_name", "phone", "media_url",
    ]
    /// Fields the specification defines that carry nothing this service keeps: accepted and not stored.
    static let ignoredFields: Set<String> = ["jurisdiction_id", "device_id", "account_id"]

    func register(on router: Router<GatewayRequestContext>) {
        // Roles: any holder of an API key, given as the api_key form field (or Authorization: Bearer).
        router.post("/open311/v2/requests.json") { request, context in await file(request, context, .json) }
        // Roles: any holder of an API key, given as the api_key form field (or Authorization: Bearer).
        router.post("/open311/v2/requests.xml") { request, context in await file(request, context, .xml) }
        // Roles: public.
        router.get("/open311/v2/requests.json") { request, context in await search(request, context, .json) }
        // Roles: public.
        router.get("/open311/v2/requests.xml") { request, context in await search(request, context, .xml) }
        // Roles: public (`{service_request_id}.json` or `.xml`).
        router.get("/open311/v2/requests/:file") { request, context in
            guard let (id, format) = Open311Format.split(context.parameters.get("file") ?? "") else {
                return Open311Format.json.error(.notFound, "ask for requests/{service_request_id}.json or .xml")
            }
            guard id.count <= 64 else { return format.error(.notFound, "no service request \(id.prefix(64))…") }
            return await Self.answer(format) {
                let found = try await lookUp(
                    ReportSearchRequests.Search(ids: [id], categories: nil, open311Statuses: nil, from: nil, to: nil, limit: 1), request, context)
                guard !found.isEmpty else { return format.error(.notFound, "no service request \(id)") }
                return format.response(.ok, root: "service_requests", .list(item: "request", found))
            }
        }
        // Roles: public (`{token}.json` or `.xml`).
        router.get("/open311/v2/tokens/:file") { _, context in
            guard let (token, format) = Open311Format.split(context.parameters.get("file") ?? "") else {
                return Open311Format.json.error(.notFound, "ask for tokens/{token}.json or .xml")
            }
            return await Self.answer(format) {
                let found = try await services.call(
                    Self.ingest, ReportSearchRequests.token, ReportSearchRequests.Token(token: token, reportId: nil), as: ReportSearchRequests.Token.self)
                return format.response(.ok, root: "service_requests", .list(item: "request", [
                    .object([("service_request_id", .text(found.reportId)), ("token", .text(found.token))]),
                ]))
            }
        }
    }

    func file(_ request: Request, _ context: GatewayRequestContext, _ format: Open311Format) async -> Response {
        let form: Open311Form
        do {
            form = try await Open311Form.read(request)
        } catch {
            return format.error(error.status, error.message)
        }
        return await Self.answer(format) {
            let client = try await client(presenting: form["api_key"], context)
            if let wait = filings.admit(.account(client.accountID)) { throw APIError.tooManyFilings(retryAfter: wait) }
            let draft = try Self.draft(from: form)
            let file = ReportRequests.File(draft: draft, reporterAccountId: client.accountID, photoTypes: [])
            let reply = try await services.frames(Self.ingest, ReportRequests.file, [try EventCodec.encoder.encode(file)])
            guard let first = reply.first, let filed = try? EventCodec.decoder.decode(ReportRequests.Filed.self, from: first) else {
                return format.error(.badGateway, "ingest sent an unreadable answer")
            }
            return format.response(.created, root: "service_requests", .list(item: "request", [.object([
                ("service_request_id", .text(filed.report.id)),
                ("token", .text(filed.filingId)),
                ("service_notice", .text(filed.message)),
                ("account_id", .text(nil)),
            ])]))
        }
    }

    /// The client application filing: an API key as the `api_key` field, or already presented as a bearer API key.
    func client(presenting apiKey: String?, _ context: GatewayRequestContext) async throws -> Principal {
        if let apiKey, !apiKey.isEmpty {
            guard APIKey(presented: apiKey) != nil, let principal = try await resolver.resolve(apiKey) else {
                throw APIError(.forbidden, code: "invalid_api_key", message: "api_key is invalid or revoked")
            }
            return principal
        }
        if let principal = context.principal, case .apiKey = principal.credential { return principal }
        throw APIError(.forbidden, code: "invalid_api_key", message: "api_key is required: ask the territory's administrators for one")
    }

    /// The report a form describes; unknown fields and attributes are refused, never dropped.
    package static func draft(from form: Open311Form) throws -> ReportDraft {
        for name in form.fields.keys.sorted() where !fields.contains(name) && !ignoredFields.contains(name) {
            if name.hasPrefix("attribute[") {
                throw APIError(.badRequest, code: "invalid_field", message: "\(name): this service's definitions have no attributes", field: name)
            }
            if name == "address_id" {
                throw APIError(.badRequest, code: "invalid_field", message: "address_id is not supported: send lat and long", field: name)
            }
            throw APIError(.badRequest, code: "invalid_field", message: "\(name) is not a GeoReport v2 field", field: name)
        }
        guard let code = form["service_code"], !code.isEmpty else {
            throw APIError(.badRequest, code: "missing_field", message: "service_code is required", field: "service_code")
        }
        func coordinate(_ name: String) throws -> Double {
            guard let text = form[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                throw APIError(.badRequest, code: "missing_field", message: "\(name) is required, in decimal degrees (WGS 84)", field: name)
            }
            guard let value = Double(text), value.isFinite else {
                throw APIError(.badRequest, code: "invalid_field", message: "\(name) is not a number: give decimal degrees (WGS 84) such as 43.2965", field: name)
            }
            return value
        }
        let name = [form["first_name"], form["last_name"]].compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let contact = ReportContact(email: nonEmpty(form["email"]), name: name.isEmpty ? nil : name.joined(separator: " "), phone: nonEmpty(form["phone"]))
        return ReportDraft(
            category: code, latitude: try coordinate("lat"), longitude: try coordinate("long"), address: nonEmpty(form["address_string"]),
            description: form["description"] ?? "", contact: contact == ReportContact(email: nil, name: nil, phone: nil) ? nil : contact,
            mediaUrl: nonEmpty(form["media_url"]))
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    func search(_ request: Request, _ context: GatewayRequestContext, _ format: Open311Format) async -> Response {
        await Self.answer(format) {
            let search = try Self.search(from: request.uri.queryParameters)
            return format.response(.ok, root: "service_requests", .list(item: "request", try await lookUp(search, request, context)))
        }
    }

    /// The specification's filters, read from the query (ingest applies them, with the default window).
    static func search(from query: some Sequence<(key: Substring, value: Substring)>) throws -> ReportSearchRequests.Search {
        var values: [String: String] = [:]
        for (key, value) in query { values[String(key)] = String(value) }
        func list(_ name: String) -> [String]? {
            let items = values[name]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return items?.isEmpty == false ? items : nil
        }
        func date(_ name: String) throws -> Date? {
            // A `+` left unencoded in a query reads as a space.
            guard let text = values[name]?.replacingOccurrences(of: " ", with: "+"), !text.isEmpty else { return nil }
            guard let date = Open311Format.parseDate(text) else {
                throw APIError(.badRequest, code: "invalid_field", message: "\(name) must be an ISO 8601 date and time, e.g. 2026-11-01T00:00:00+01:00", field: name)
            }
            return date
        }
        return ReportSearchRequests.Search(
            ids: list("service_request_id"), categories: list("service_code"), open311Statuses: list("status"),
            from: try date("start_date"), to: try date("end_date"), limit: ReportSearchRequests.maximumResults)
    }

    func lookUp(_ search: ReportSearchRequests.Search, _ request: Request, _ context: GatewayRequestContext) async throws -> [Open311Format.Node] {
        let result = try await services.call(Self.ingest, ReportSearchRequests.search, search, as: ReportSearchRequests.Result.self)
        return result.items.map { report in
            Open311ServiceRequest.node(
                report, serviceName: result.categoryNames[report.category], agency: report.jurisdictionId.flatMap { result.jurisdictionNames[$0] },
                photoURL: { origin.photoURL($0, of: request, peer: context.remoteAddress) })
        }
    }

    /// Runs a handler, answering any error in the specification's error shape and the request's format.
    static func answer(_ format: Open311Format, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as APIError {
            let parameter = Open311ServiceRequest.parameter(for: error.body.field)
            let prefix = parameter.map { "\($0): " } ?? ""
            let message = error.body.message.hasPrefix(parameter ?? "\u{0}") ? error.body.message : prefix + error.body.message
            var response = format.error(error.status, message)
            for field in error.headers { response.headers.append(field) }
            return response
        } catch {
            return format.error(.internalServerError, "the request could not be handled")
        }
    }
}
