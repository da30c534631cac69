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
    let pickupValidator: PickupValidatorClient
    /// Ingest's request endpoint: it owns the lots, and answers for one this worker has not seen yet.
    let ingest: String
    let logger: Logger
    /// Commands with the same reservation id, decided one at a time.
    let commandsInFlight = OneAtATimePerKey()

    public init(book: ReservationBook, loop: SocketLoop, pickupValidator: String, ingest: String, logger: Logger) {
        self.book = book
        self.loop = loop
        self.pickupValidator = PickupValidatorClient(loop: loop, endpoint: pickupValidator, logger: logger)
        self.ingest = ingest
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
                return [try EventCodec.encoder.encode(try await book.cancel(request))]
            },
            ReservationRequests.get: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.Get.self, body)
                guard let reservation = try await book.reservation(id: request.reservationId) else {
                    if let lotId = request.lotId { try await book.refuseUnlessHeld(lotId) }
                    throw RemoteError.notFound("no reservation \(request.reservationId)")
                }
                return [try EventCodec.encoder.encode(reservation)]
            },
            ReservationRequests.listForTaker: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.ListForTaker.self, body)
                return [try EventCodec.encoder.encode(ReservationRequests.List(items: try await book.reservations(takerId: request.takerId)))]
            },
            ReservationRequests.listForLot: { body in
                let request = try RemoteError.decodeRequest(ReservationRequests.ListForLot.self, body)
                try await book.refuseUnlessHeld(request.lotId)
                let items = try await book.reservations(lotId: request.lotId, status: request.status).map(ReservationRequests.CounterItem.init)
                return [try EventCodec.encoder.encode(ReservationRequests.Counter(items: items))]
            },
        ]
    }

    /// Makes the reservation, or answers with the one this command already made: the same id sent
    /// again (at once or later) has one effect, and the same id with another lot, taker or baskets
    /// is refused as `idempotency_mismatch`.
    func create(_ request: ReservationRequests.Create) async throws -> Reservation {
        guard (1...50).contains(request.baskets) else { throw RemoteError.invalid("baskets", "baskets must be between 1 and 50") }
        let id = request.reservationId ?? UUID().uuidString.lowercased()
        guard ReservationRequests.isValidReservationId(id) else {
            throw RemoteError.invalid("reservationId", "a reservation id is 1 to 64 lowercase letters, digits and dashes")
        }
        return try await commandsInFlight.run(id) {
            let (made, known) = try await book.madeOrAvailability(id: id, lotId: request.lotId)
            if let made { return try ReservationBook.replay(made, of: request) }
            return try await reserveAnew(id: id, request, known: known)
        }
    }

    private func reserveAnew(id: String, _ request: ReservationRequests.Create, known: ReservationBook.Availability?) async throws -> Reservation {
        let availability: ReservationBook.Availability
        if let known { availability = known } else { availability = try await lot(request.lotId) }
        // Refuse early what would be refused anyway, before taking a quota slot.
        try ReservationBook.check(request, availability, now: Date())
        if availability.lot.isFree {
            try await pickupValidator.claimQuota(beneficiary: request.takerId, reservation: id, baskets: request.baskets)
        }
        do {
            return try await book.reserve(id: id, request)
        } catch {
            // A refusal of the id means the slot belongs to the reservation that holds it.
            let idTaken = (error as? RemoteError)?.code == RemoteError.idempotencyMismatchCode
            if availability.lot.isFree, !idTaken { await pickupValidator.releaseQuota(reservation: id) }
            throw error
        }
    }

    /// A lot this worker's book has not seen: one published a moment ago may not have reached it
    /// yet, so it is asked of ingest, which answers at once whether it exists. A lot
    /// that exists is then awaited from ingest's stream: only there does this worker learn which
    /// worker holds it (a copy taken ahead of the stream could miss a tick that moved it).
    private func lot(_ lotId: String) async throws -> ReservationBook.Availability {
        let query = try EventCodec.encoder.encode(LotRequests.Get(lotId: lotId, includeFree: true, viewerId: nil))
        let frames: [Data]
        do {
            frames = try await loop.request(ingest, kind: LotRequests.get, body: [query], timeout: .seconds(2))
        } catch .remote(let error) {
            throw error
        } catch {
            throw RemoteError.unavailable("ingest did not answer for lot \(lotId): \(error)")
        }
        guard let frame = frames.first, (try? EventCodec.decoder.decode(Lot.self, from: frame)) != nil else {
            throw RemoteError.unavailable("ingest answered lot \(lotId) with something that is not a lot")
        }
        // Its consumer applies the stream within milliseconds; a second leaves the gateway's 3 s
        // for the quota call. Past it, the caller is told to ask again.
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            if let availability = try await book.availability(of: lotId) { return availability }
        }
        throw RemoteError.moving("lot \(lotId) has not reached this worker yet")
    }
}
