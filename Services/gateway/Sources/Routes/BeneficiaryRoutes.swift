import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird
import Logging

/// `/v1/beneficiaries/verifications`: an association or an admin verifies a person. The pickup
/// validator issues the beneficiary code; no evidence document is sent or kept.
public struct BeneficiaryRoutes: Sendable {
    let accounts: any AccountStore
    let records: any BeneficiaryRecordStore
    let bus: SocketLoop
    let pickupValidator: String
    static let timeout: Duration = .seconds(3)

    let codes: VerificationCodes

    /// Who is verified: exactly one of the account id, the email the person gave, or the code
    /// they show from their own account (`GET /v1/me/verification-code`).
    struct Verify: Codable {
        var accountId: String?
        var email: String?
        var verificationCode: String?
        var validUntil: Date
    }

    /// The answer to a verification by email: the same whether or not an account has the address.
    struct Accepted: Codable {
        var status = "accepted"
        var message = "if an account uses this email, it is verified now and its holder is told; it then appears in GET /v1/beneficiaries"
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account (the code to show an association).
        router.get("/v1/me/verification-code") { _, context in
            let principal = try context.requirePrincipal()
            return try JSONResponse.make(.ok, try await codes.issue(for: principal.accountID))
        }
        // Roles: association, admin.
        router.post("/v1/beneficiaries/verifications") { request, context in
            let verifier = try context.require([.association, .admin])
            let body = try await RequestBody.decode(Verify.self, from: request, context: context)
            let given = [body.accountId, body.email, body.verificationCode].compactMap { $0 }
            guard given.count == 1 else {
                throw APIError.invalid("accountId", "say who is verified with exactly one of accountId, email or verificationCode")
            }
            if let email = body.email {
                try Self.checkValidUntil(body.validUntil)
                let address = try CredentialRules.email(email)
                // Looked up and verified after the answer, so that neither the answer nor its delay
                // tells whether the address has an account.
                Task { await verifyQuietly(email: address, by: verifier.accountID, until: body.validUntil, logger: context.logger) }
                return try JSONResponse.make(.accepted, Accepted())
            }
            let accountID: String
            if let code = body.verificationCode {
                guard let holder = try await codes.redeem(code) else {
                    throw APIError(.notFound, code: "not_found", message: "no person is showing this code (a code works once, for 30 minutes): ask for a new one", field: "verificationCode")
                }
                accountID = holder
            } else {
                accountID = body.accountId ?? ""
                guard try await accounts.account(id: accountID) != nil else {
                    throw APIError(.notFound, code: "not_found", message: "no account \(accountID)", field: "accountId")
                }
            }
            let verified = try await verify(accountID: accountID, by: verifier.accountID, until: body.validUntil, logger: context.logger)
            return try JSONResponse.make(.created, verified)
        }
        // Roles: association (the people it verified), admin.
        router.get("/v1/beneficiaries") { request, context in
            let principal = try context.require([.association, .admin])
            let caller = try await accounts.actor(for: principal)
            return try JSONResponse.make(.ok, try await records.beneficiaries(visibleTo: caller, page: try Page(from: request)))
        }
        // Roles: the association that verified the person, admin.
        router.get("/v1/beneficiaries/:accountId") { _, context in
            let principal = try context.require([.association, .admin])
            let id = context.parameters.get("accountId") ?? ""
            guard let record = try await records.beneficiary(id, visibleTo: try await accounts.actor(for: principal)) else {
                throw APIError(.notFound, code: "not_found", message: "no beneficiary \(id) that you verified")
            }
            return try JSONResponse.make(.ok, record)
        }
    }

    /// The pickup validator's rule, checked before an email is looked up so that a bad date is said
    /// whether or not the address has an account.
    static func checkValidUntil(_ date: Date, now: Date = Date()) throws {
        let days = VerifyBeneficiaryCommand.maximumValidityDays
        guard date > now else { throw APIError.invalid("validUntil", "validUntil must be in the future") }
        guard date <= now.addingTimeInterval(Double(days) * 86_400) else {
            throw APIError.invalid("validUntil", "validUntil may be at most \(days) days ahead")
        }
    }

    /// Has the pickup validator verify the account and issue its beneficiary code.
    func verify(accountID: String, by verifier: String, until validUntil: Date, logger: Logger) async throws -> BeneficiaryVerified {
        let command = VerifyBeneficiaryCommand(accountID: accountID, verifiedBy: verifier, validUntil: validUntil)
        let reply: [Data]
        do {
            reply = try await bus.request(
                pickupValidator, kind: VerifyBeneficiaryCommand.kind, body: [try EventCodec.encoder.encode(command)], timeout: Self.timeout)
        } catch BusRequestError.remote(let error) where error.code == "invalid_verification" {
            throw APIError.invalid("validUntil", error.message)
        } catch {
            logger.warning("beneficiary verification failed", metadata: ["error": "\(error)"])
            throw APIError.unavailable
        }
        guard let first = reply.first, let verified = try? EventCodec.decoder.decode(BeneficiaryVerified.self, from: first) else {
            throw APIError.unavailable
        }
        // The event brings the same record a moment later; writing it now lets the person use it at once.
        try await accounts.recordBeneficiary(verified)
        return verified
    }

    /// Verification by email, after the answer: an unknown address does nothing, and says nothing.
    func verifyQuietly(email: String, by verifier: String, until validUntil: Date, logger: Logger) async {
        do {
            guard let account = try await accounts.credentials(email: email)?.account else { return }
            _ = try await verify(accountID: account.id, by: verifier, until: validUntil, logger: logger)
        } catch {
            logger.warning("beneficiary verification by email failed", metadata: ["error": "\(error)"])
        }
    }
}
