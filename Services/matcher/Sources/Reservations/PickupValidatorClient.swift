import EcoBus
import EcoModel
import Foundation
import Logging

/// What a matcher worker asks the pickup validator: quota slots for free lots, and collector
/// missions' delivery codes (docs/decisions/0006). A refusal comes back as the validator's
/// `RemoteError`; silence as `unavailable`.
struct PickupValidatorClient: Sendable {
    let loop: SocketLoop
    let endpoint: String
    let logger: Logger

    /// Takes `baskets` of the beneficiary's free baskets for today, or throws the validator's refusal.
    func claimQuota(beneficiary: String, reservation: String, baskets: Int) async throws {
        _ = try await ask(PickupRequests.claimQuota, PickupRequests.QuotaClaim(beneficiaryId: beneficiary, reservationId: reservation, baskets: baskets), what: "the quota check")
    }

    /// Gives a slot back; a failure is logged, since the reservation it belonged to already failed.
    func releaseQuota(reservation: String) async {
        do {
            _ = try await ask(PickupRequests.releaseQuota, PickupRequests.QuotaRelease(reservationId: reservation), what: "the quota release")
        } catch {
            logger.error("quota slot could not be given back", metadata: ["reservation.id": "\(reservation)", "error": "\(error)"])
        }
    }

    /// The delivery code of the mission holding `reservation`, waiting at most `timeout`.
    func deliveryCode(reservation: String, timeout: Duration = .seconds(2)) async throws -> String {
        let frames = try await ask(
            PickupRequests.deliveryCode, PickupRequests.DeliveryCodeQuery(reservationId: reservation), what: "the delivery code", timeout: timeout)
        guard let frame = frames.first, let reply = try? EventCodec.decoder.decode(PickupRequests.DeliveryCode.self, from: frame) else {
            throw RemoteError.unavailable("the pickup validator answered the delivery code with something else")
        }
        return reply.code
    }

    /// Passes if `code` is the delivery code of the mission holding `reservation` (checked against
    /// `legacyHash` for a mission from before derived codes); wrong codes are counted by the validator.
    func checkDelivery(reservation: String, code: String, legacyHash: String?) async throws {
        _ = try await ask(
            PickupRequests.checkDelivery, PickupRequests.DeliveryCheck(reservationId: reservation, code: code, legacyHash: legacyHash),
            what: "the delivery-code check")
    }

    private func ask(_ kind: String, _ body: some Encodable, what: String, timeout: Duration = .seconds(2)) async throws -> [Data] {
        let frame = try EventCodec.encoder.encode(body)
        do {
            return try await loop.request(endpoint, kind: kind, body: [frame], timeout: timeout)
        } catch .remote(let error) {
            throw error
        } catch {
            throw RemoteError.unavailable("\(what) did not answer: \(error)")
        }
    }
}
