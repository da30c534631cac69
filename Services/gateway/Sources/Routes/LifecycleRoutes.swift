import EcoModel
import Foundation
import Hummingbird

/// The account lifecycle: change the password, reset it by email, change the email address with
/// a confirmation at the new one, list and close one's sessions.
public struct LifecycleRoutes: Sendable {
    let lifecycle: AccountLifecycle

    struct PasswordChange: Codable {
        var currentPassword: String
        var newPassword: String
    }

    struct ResetRequest: Codable {
        var email: String
    }

    struct ResetConfirmation: Codable {
        var token: String
        var newPassword: String
    }

    struct EmailChange: Codable {
        var email: String
        var password: String
    }

    struct EmailConfirmation: Codable {
        var token: String
    }

    struct Sessions: Codable {
        var items: [SessionInfo]
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account.
        router.post("/v1/me/password") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await RequestBody.decode(PasswordChange.self, from: request, context: context)
            try await lifecycle.changePassword(for: principal, current: body.currentPassword, new: body.newPassword)
            return JSONResponse.noContent()
        }
        // Roles: public. Answers 202 whether or not the address has an account.
        router.post("/v1/auth/password-reset") { request, context in
            let body = try await RequestBody.decode(ResetRequest.self, from: request, context: context)
            let email = try CredentialRules.email(body.email)
            // The lookup and the email happen after the answer, so that neither its time nor a
            // failure to send tells whether the address has an account.
            let logger = context.logger
            Task {
                do { try await lifecycle.requestPasswordReset(email: email) } catch {
                    logger.warning("password reset not sent", metadata: ["error": "\(error)"])
                }
            }
            return try JSONResponse.make(.accepted, ["status": "if this address has an account, a reset code is on its way"])
        }
        // Roles: public (the emailed code is the credential).
        router.post("/v1/auth/password-reset/confirm") { request, context in
            let body = try await RequestBody.decode(ResetConfirmation.self, from: request, context: context)
            try await lifecycle.resetPassword(token: body.token, new: body.newPassword)
            return JSONResponse.noContent()
        }
        // Roles: any signed-in account.
        router.post("/v1/me/email") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await RequestBody.decode(EmailChange.self, from: request, context: context)
            try await lifecycle.requestEmailChange(for: principal, newEmail: body.email, password: body.password)
            return try JSONResponse.make(.accepted, ["status": "a confirmation code was sent to the new address"])
        }
        // Roles: public (the emailed code is the credential).
        router.post("/v1/auth/email-confirmation") { request, context in
            let body = try await RequestBody.decode(EmailConfirmation.self, from: request, context: context)
            return try JSONResponse.make(.ok, try await lifecycle.confirmEmailChange(token: body.token))
        }
        // Roles: any signed-in account.
        router.get("/v1/me/sessions") { _, context in
            let principal = try context.requirePrincipal()
            return try JSONResponse.make(.ok, Sessions(items: try await lifecycle.sessions(of: principal)))
        }
        // Roles: any signed-in account (its own sessions only).
        router.delete("/v1/me/sessions/:id") { _, context in
            let principal = try context.requirePrincipal()
            try await lifecycle.revokeSession(context.parameters.get("id") ?? "", of: principal)
            return JSONResponse.noContent()
        }
    }
}
