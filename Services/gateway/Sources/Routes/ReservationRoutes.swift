import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// Reservations and the pickup at the counter: the same code and flow for paid and free lots.
public struct ReservationRoutes: Sendable {
    let accounts: any AccountStore
    let index: ReservationIndex
    let services: ServiceCaller
    /// Where each food lot's commands go (docs/decisions/0017).
    let holders: LotHolderDirectory

    struct Reserve: Codable {
        var baskets: Int?
    }

    struct Reserved: Codable {
        var reservation: Reservation
        /// What to show at pickup: the token (also as a QR code) and the PIN. Missing only if the
        /// pickup validator did not answer; ask `/v1/reservations/{id}/pickup-code` then.
        var pickupCode: PickupRequests.PickupCode?
    }

    struct Validate: Codable {
        var token: String
        var pin: String
    }

    static let pickupValidator = ServiceInstance(.pickupValidator)


    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: customer, beneficiary (free lots: verified beneficiaries only, 2 baskets a day).
        router.post("/v1/lots/:id/reservations") { request, context in
            let principal = try context.require([.customer, .beneficiary])
            let lotId = context.parameters.get("id") ?? ""
            let body = try await RequestBody.decode(Reserve.self, from: request, context: context)
            let baskets = body.baskets ?? 1
            guard (1...50).contains(baskets) else { throw APIError.invalid("baskets", "baskets must be between 1 and 50") }
            // With an Idempotency-Key, the same request sent again answers with the same reservation.
            let reservationId = try IdempotencyKey.mintID(request.headers, scope: "reservation", account: principal.accountID)
            let create = ReservationRequests.Create(
                lotId: lotId, takerId: principal.accountID, takerIsBeneficiary: principal.roles.contains(.beneficiary), baskets: baskets,
                reservationId: reservationId)
            // The code is derived from the reservation id alone, so it is asked for at the same time;
            // it is shown only if the reservation is made, and a refusal does not wait for it.
            let code = Task {
                try? await services.call(
                    Self.pickupValidator, PickupRequests.code, PickupRequests.CodeQuery(reservationId: reservationId), as: PickupRequests.PickupCode.self)
            }
            defer { code.cancel() }
            let reservation = try await services.call(lot: lotId, holders: holders, ReservationRequests.create, create, as: Reservation.self)
            try await index.record(reservation)
            return try JSONResponse.make(.created, Reserved(reservation: reservation, pickupCode: await code.value))
        }
        // Roles: any signed-in account (its own reservations).
        router.get("/v1/me/reservations") { _, context in
            let principal = try context.requirePrincipal()
            let lists = try await MatcherFanOut(services: services, holders: holders).gather(
                ReservationRequests.listForTaker, ReservationRequests.ListForTaker(takerId: principal.accountID), as: ReservationRequests.List.self)
            let all = lists.flatMap(\.items)
            return try JSONResponse.make(.ok, ["items": all.sorted { $0.createdAt > $1.createdAt }])
        }
        // Roles: the taker, the lot's merchant or a member of its organisation, admin.
        router.get("/v1/reservations/:id") { _, context in
            let (entry, _) = try await authorised(context, takerOnly: false)
            return try JSONResponse.make(.ok, try await services.call(
                lot: entry.lotId, holders: holders, ReservationRequests.get, ReservationRequests.Get(reservationId: entry.id, lotId: entry.lotId), as: Reservation.self))
        }
        // Roles: the taker.
        router.delete("/v1/reservations/:id") { _, context in
            let (entry, principal) = try await authorised(context, takerOnly: true)
            let cancel = ReservationRequests.Cancel(reservationId: entry.id, lotId: entry.lotId, actorId: principal.accountID)
            return try JSONResponse.make(.ok, try await services.call(lot: entry.lotId, holders: holders, ReservationRequests.cancel, cancel, as: Reservation.self))
        }
        // Roles: the taker.
        router.get("/v1/reservations/:id/pickup-code") { _, context in
            let (entry, _) = try await authorised(context, takerOnly: true)
            return try JSONResponse.make(.ok, try await services.call(
                Self.pickupValidator, PickupRequests.code, PickupRequests.CodeQuery(reservationId: entry.id), as: PickupRequests.PickupCode.self))
        }
        // Roles: merchant (the reservation's own, or a member of its organisation).
        router.post("/v1/pickups/validate") { request, context in
            let principal = try context.require([.merchant])
            let body = try await RequestBody.decode(Validate.self, from: request, context: context)
            guard body.pin.count == 6, body.pin.allSatisfy(\.isNumber) else { throw APIError.invalid("pin", "pin has six digits") }
            guard !body.token.isEmpty, body.token.count <= 200 else { throw APIError.invalid("token", "token is the text of the QR code") }
            // The pickup validator checks only the account and its organisations: an admin is no one's merchant.
            let validator = try await accounts.actor(for: principal)
            return try JSONResponse.make(.ok, try await services.call(
                Self.pickupValidator, PickupRequests.validate,
                PickupRequests.Validate(token: body.token, pin: body.pin, validator: validator), as: PickupCompleted.self))
        }
    }

    /// The reservation's index entry, if the caller may see it (404 otherwise, so ids reveal nothing).
    private func authorised(_ context: GatewayRequestContext, takerOnly: Bool) async throws -> (ReservationIndex.Entry, Principal) {
        let principal = try context.requirePrincipal()
        let id = context.parameters.get("id") ?? ""
        guard let entry = try await index.entry(id, visibleTo: try await accounts.actor(for: principal), takerOnly: takerOnly) else {
            throw APIError(.notFound, code: "not_found", message: "no reservation \(id)")
        }
        return (entry, principal)
    }
}
