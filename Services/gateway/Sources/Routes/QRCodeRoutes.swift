import EcoConfig
import EcoModel
import EcoQRCode
import Hummingbird

/// `/v1/reservations/{id}/qr.png` and `.svg`: the pickup token as a QR code, for the taker to show.
public struct QRCodeRoutes: Sendable {
    let index: ReservationIndex
    let services: ServiceCaller

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: the taker.
        router.get("/v1/reservations/:id/qr.png") { _, context in
            let code = try await qrCode(context)
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "private, no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: code.png())))
        }
        // Roles: the taker.
        router.get("/v1/reservations/:id/qr.svg") { _, context in
            let code = try await qrCode(context)
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "private, no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: code.svg())))
        }
    }

    private func qrCode(_ context: GatewayRequestContext) async throws -> QRCode {
        let principal = try context.requirePrincipal()
        let id = context.parameters.get("id") ?? ""
        guard let entry = try await index.entry(id), entry.takerId == principal.accountID else {
            throw APIError(.notFound, code: "not_found", message: "no reservation \(id)")
        }
        let code = try await services.call(
            ServiceInstance(.pickupValidator), PickupRequests.code, PickupRequests.CodeQuery(reservationId: id), as: PickupRequests.PickupCode.self)
        do {
            return try QRCode(text: code.token)
        } catch {
            throw APIError(.internalServerError, code: "internal", message: "the pickup token does not fit a QR code")
        }
    }
}
