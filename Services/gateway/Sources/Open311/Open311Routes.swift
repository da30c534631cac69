import EcoConfig
import EcoModel
import Hummingbird

/// Open311 GeoReport v2 under `/open311/v2/`, so that existing Open311 clients work unchanged (this
/// part: the discovery document, `services` and the service definitions, in JSON and XML). The
/// services are the report categories of ingest's territory.
public struct Open311Routes: Sendable {
    let services: ServiceCaller
    static let ingest = ServiceInstance(.ingest)
    static let specification = "http://wiki.open311.org/GeoReport_v2"

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: public.
        router.get("/open311/v2/services.json") { _, _ in try await list(.json) }
        // Roles: public.
        router.get("/open311/v2/services.xml") { _, _ in try await list(.xml) }
        // Roles: public (`{service_code}.json` or `.xml`).
        router.get("/open311/v2/services/:file") { _, context in
            guard let (code, format) = Open311Format.split(context.parameters.get("file") ?? "") else {
                return Open311Format.json.error(.notFound, "ask for services/{service_code}.json or .xml")
            }
            let known: [ReportService]
            do { known = try await categories() } catch { return format.error(.serviceUnavailable, "the service list is not available; try again") }
            guard known.contains(where: { $0.code == code }) else { return format.error(.notFound, "no service \(code)") }
            return format.response(.ok, root: "service_definition", .object([
                ("service_code", .text(code)),
                ("attributes", .list(item: "attribute", [])),
            ]))
        }
        // Roles: public (the GeoReport discovery document).
        router.get("/open311/discovery.json") { request, _ in
            let host = request.head.authority ?? "localhost"
            let base = "http://\(host)/open311/v2"
            return Open311Format.json.response(.ok, root: "discovery", .object([
                ("changeset", .text("2026-11-23T00:00:00Z")),
                ("contact", .text("Open311 for EcoResupply: ask the territory's administrators for an api_key")),
                ("key_service", .text("an account with the municipality or association role makes its own api_key with POST /v1/api-keys (docs/open311.md)")),
                ("endpoints", .list(item: "endpoint", [.object([
                    ("specification", .text(Self.specification)),
                    ("url", .text(base)),
                    ("changeset", .text("2026-11-23T00:00:00Z")),
                    ("type", .text("production")),
                    ("formats", .list(item: "format", [.text("application/json"), .text("text/xml")])),
                ])])),
            ]))
        }
    }

    func categories() async throws -> [ReportService] {
        try await services.call(Self.ingest, ReportRequests.services, [String: String](), as: [ReportService].self)
    }

    func list(_ format: Open311Format) async throws -> Response {
        let known: [ReportService]
        do { known = try await categories() } catch { return format.error(.serviceUnavailable, "the service list is not available; try again") }
        return format.response(.ok, root: "services", .list(item: "service", known.map { service in
            .object([
                ("service_code", .text(service.code)),
                ("service_name", .text(service.name)),
                ("description", .text(service.description)),
                ("metadata", .bool(false)),
                ("type", .text("realtime")),
                ("keywords", .text(service.name.lowercased())),
                ("group", .text("environment")),
            ])
        }))
    }
}
