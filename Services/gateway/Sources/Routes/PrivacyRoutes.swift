import EcoModel
import Foundation
import Hummingbird

/// The rights to access, portability and erasure: the caller's export, erasing one's own account
/// (with the password), and an admin erasing an account on a person's request and following it.
public struct PrivacyRoutes: Sendable {
    let export: PersonalDataExport
    let erasures: ErasureDesk
    let lifecycle: AccountLifecycle

    struct SelfErasure: Codable {
        var password: String
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account.
        router.get("/v1/me/export") { _, context in
            let principal = try context.requirePrincipal()
            let document = try await export.export(accountID: principal.accountID)
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"ecoresupply-export.json\""
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
        // Roles: any signed-in account (its own account, with its password).
        router.delete("/v1/me") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await RequestBody.decode(SelfErasure.self, from: request, context: context)
            try await lifecycle.confirmPassword(body.password, of: principal)
            guard let status = try await erasures.erase(accountID: principal.accountID, requestedBy: "self") else {
                throw APIError.unauthenticated
            }
            return try JSONResponse.make(.accepted, status)
        }
        // Roles: admin.
        router.delete("/v1/admin/accounts/:id") { _, context in
            _ = try context.require([.admin])
            let id = context.parameters.get("id") ?? ""
            guard let status = try await erasures.erase(accountID: id, requestedBy: "admin") else {
                throw APIError(.notFound, code: "not_found", message: "no account \(id)")
            }
            return try JSONResponse.make(.accepted, status)
        }
        // Roles: admin.
        router.get("/v1/admin/erasures/:id") { _, context in
            _ = try context.require([.admin])
            let id = context.parameters.get("id") ?? ""
            guard let status = try await erasures.status(accountID: id) else {
                throw APIError(.notFound, code: "not_found", message: "no erasure of \(id)")
            }
            return try JSONResponse.make(.ok, status)
        }
    }
}
