import EcoModel
import Foundation
import Hummingbird

/// Consents: the current terms version, what the caller agreed to and when, and withdrawing or
/// giving the optional ones.
public struct ConsentRoutes: Sendable {
    let store: any LifecycleStore
    let termsVersion: String

    struct Terms: Codable {
        var version: String
    }

    struct Consents: Codable {
        /// The consents in force, by purpose.
        var current: [ConsentRecord]
        /// Every consent given, withdrawn ones included, oldest first.
        var history: [ConsentRecord]
    }

    struct Grant: Codable {
        /// The version of the text consented to: the current terms version.
        var version: String
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: public.
        router.get("/v1/terms") { _, _ in
            try JSONResponse.make(.ok, Terms(version: termsVersion))
        }
        // Roles: any signed-in account.
        router.get("/v1/me/consents") { _, context in
            let principal = try context.requirePrincipal()
            return try JSONResponse.make(.ok, try await consents(of: principal.accountID))
        }
        // Roles: any signed-in account.
        router.put("/v1/me/consents/:purpose") { request, context in
            let principal = try context.requirePrincipal()
            let purpose = try Self.purpose(context)
            let body = try await RequestBody.decode(Grant.self, from: request, context: context)
            guard body.version == termsVersion else {
                throw APIError.invalid("version", "consent to the current version, \(termsVersion) (GET /v1/terms)")
            }
            _ = try await store.grantConsent(purpose, version: body.version, for: principal.accountID, at: Date())
            return try JSONResponse.make(.ok, try await consents(of: principal.accountID))
        }
        // Roles: any signed-in account.
        router.delete("/v1/me/consents/:purpose") { _, context in
            let principal = try context.requirePrincipal()
            let purpose = try Self.purpose(context)
            guard purpose != .termsOfUse else {
                throw APIError(.conflict, code: "consent_required", message: "the terms of use are needed to hold an account; to leave, erase the account (DELETE /v1/me)")
            }
            guard try await store.withdrawConsent(purpose, for: principal.accountID, at: Date()) else {
                throw APIError(.notFound, code: "not_found", message: "you have not given \(purpose.rawValue)")
            }
            return try JSONResponse.make(.ok, try await consents(of: principal.accountID))
        }
    }

    private func consents(of accountID: String) async throws -> Consents {
        let history = try await store.consents(of: accountID)
        return Consents(current: history.filter { $0.withdrawnAt == nil }.sorted { $0.purpose < $1.purpose }, history: history)
    }

    private static func purpose(_ context: GatewayRequestContext) throws -> ConsentPurpose {
        guard let purpose = context.parameters.get("purpose").flatMap(ConsentPurpose.init(rawValue:)) else {
            throw APIError(.notFound, code: "not_found", message: "purposes are \(ConsentPurpose.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return purpose
    }
}
