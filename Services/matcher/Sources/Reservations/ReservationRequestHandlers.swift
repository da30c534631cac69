import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Logging

/// A matcher worker's answers to reservation requests. Free lots take a quota slot from the pickup
/// validator first, and give it back if the reservation then fails.
public struct ReservationRequestHandlers: Sendable {
    let book: ReservationBook
    let loop: SocketLoop
    let pickupValidator: String
    let logger: Logger
    /// A lot published a moment ago may not have reached this worker yet: wait this long for it.
    static let lotArrivalWait: Duration = .seconds(2)

    public init(book: ReservationBook, loop: SocketLoop, pickupValidator: String, logger: Logger) {
        self.book = book
        self.loop = loop
        self.pickupValidator = pickupValidator
        self.logger = logger
    }

    public var handlers: [String: RequestHandler] {
        [
            ReservationRequests.create: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.Create.self, body)
                return [try EventCodec.encoder.encode(try await create(request))]
            },
            ReservationRequests.cancel: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.Cancel.self, body)
                guard book.owns(request.lotId) else { throw RemoteError.badRequest("lot \(request.lotId) belongs to another worker") }
                return [try EventCodec.encoder.encode(try await book.cancel(request))]
            },
            ReservationRequests.get: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.Get.self, body)
                guard let reservation = try await book.reservation(id: request.reservationId) else {
                    throw RemoteError.notFound("no reservation \(request.reservationId)")
                }
                return [try EventCodec.encoder.encode(reservation)]
            },
            ReservationRequests.listForTaker: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.ListForTaker.self, body)
                return [try EventCodec.encoder.encode(ReservationRequests.List(items: try await book.reservations(takerId: request.takerId)))]
            },
        ]
    }

    func create(_ request: ReservationRequests.Create) async throws -> Reservation {
        guard book.owns(request.lotId) else { throw RemoteError.badRequest("lot \(request.lotId) belongs to another worker") }
        guard (1...50).contains(request.baskets) else { throw RemoteError.invalid("baskets", "baskets must be between 1 and 50") }
        let availability = try await awaitLot(request.lotId)
        // Refuse early what would be refused anyway, before taking a quota slot.
        try ReservationBook.check(request, availability, now: Date())
        let id = UUID().uuidString.lowercased()
        if availability.lot.isFree {
            try await claimQuota(beneficiary: request.takerId, reservation: id)
        }
        do {
            return try await book.reserve(id: id, request)
        } catch {
            if availability.lot.isFree { await releaseQuota(reservation: id) }
            throw error
        }
    }

    private func awaitLot(_ lotId: String) async throws -> ReservationBook.Availability {
        let deadline = ContinuousClock.now + Self.lotArrivalWait
        while true {
            if let availability = try await book.availability(of: lotId) { return availability }
            guard ContinuousClock.now < deadline else { throw RemoteError.notFound("no lot \(lotId)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func claimQuota(beneficiary: String, reservation: String) async throws {
        let body = try EventCodec.encoder.encode(PickupRequests.QuotaClaim(beneficiaryId: beneficiary, reservationId: reservation))
        do {
            _ = try await loop.request(pickupValidator, kind: PickupRequests.claimQuota, body: [body], timeout: .seconds(2))
        } catch .remote(let error) {
            throw error
        } catch {
            throw RemoteError(code: "unavailable", message: "the quota check did not answer: \(error)")
        }
    }

    private func releaseQuota(reservation: String) async {
        guard let body = try? EventCodec.encoder.encode(PickupRequests.QuotaRelease(reservationId: reservation)) else { return }
        do {
            _ = try await loop.request(pickupValidator, kind: PickupRequests.releaseQuota, body: [body], timeout: .seconds(2))
        } catch {
            logger.error("quota slot could not be given back", metadata: ["reservation.id": "\(reservation)", "error": "\(error)"])
        }
    }
}
