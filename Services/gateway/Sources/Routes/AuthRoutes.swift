import EcoModel
import Hummingbird

/// `/v1/auth/*`: sign-up, sign-in, refresh, sign-out.
public struct AuthRoutes: Sendable {
    let auth: AuthService

    struct LogIn: Codable {
        var email: String
        var password: String
    }

    struct Refresh: Codable {
        var refreshToken: String
    }

    public func register(on router: Router<GatewayRequestContext>) {
        let group = router.group("/v1/auth")
        // Roles: public.
        group.post("/signup") { request, context in
            let body = try await RequestBody.decode(AuthService.SignUp.self, from: request, context: context)
            return try JSONResponse.make(.created, try await auth.signUp(body))
        }
        // Roles: public.
        group.post("/login") { request, context in
            let body = try await RequestBody.decode(LogIn.self, from: request, context: context)
            return try JSONResponse.make(.ok, try await auth.logIn(email: body.email, password: body.password, client: context.clientAddress ?? "unknown"))
        }
        // Roles: public (the refresh token is the credential).
        group.post("/refresh") { request, context in
            let body = try await RequestBody.decode(Refresh.self, from: request, context: context)
            return try JSONResponse.make(.ok, try await auth.refresh(body.refreshToken))
        }
        // Roles: any signed-in account.
        group.post("/logout") { _, context in
            try await auth.logOut(try context.requirePrincipal())
            return JSONResponse.noContent()
        }
    }
}
