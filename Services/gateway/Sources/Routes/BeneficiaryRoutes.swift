import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `/v1/beneficiaries/verifications`: an association or an admin verifies a person. The pickup
/// validator issues the beneficiary code; no evidence document is sent or kept.
public struct BeneficiaryRoutes: Sendable {
    let accounts: any AccountStore
    let records: any BeneficiaryRecordStore
    let bus: SocketLoop
    let pickupValidator: String
    static let timeout: Duration = .seconds(3)

    struct Verify: Codable {
        var accountId: String
        var validUntil: Date
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: association, admin.
        router.post("/v1/beneficiaries/verifications") { request, context in
            let verifier = try context.require([.association, .admin])
            let body = try await RequestBody.decode(Verify.self, from: request, context: context)
            guard try await accounts.account(id: body.accountId) != nil else {
                throw APIError(.notFound, code: "not_found", message: "no account \(body.accountId)", field: "accountId")
            }
            let command = VerifyBeneficiaryCommand(accountID: body.accountId, verifiedBy: verifier.accountID, validUntil: body.validUntil)
            let reply: [Data]
            do {
                reply = try await bus.request(
                    pickupValidator, kind: VerifyBeneficiaryCommand.kind, body: [try EventCodec.encoder.encode(command)], timeout: Self.timeout)
            } catch BusRequestError.remote(let error) where error.code == "invalid_verification" {
                throw APIError.invalid("validUntil", error.message)
            } catch {
                context.logger.warning("beneficiary verification failed", metadata: ["error": "\(error)"])
                throw APIError.unavailable
            }
            guard let first = reply.first, let verified = try? EventCodec.decoder.decode(BeneficiaryVerified.self, from: first) else {
                throw APIError.unavailable
            }
            // The event brings the same record a moment later; writing it now lets the person use it at once.
            try await accounts.recordBeneficiary(verified)
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
}
