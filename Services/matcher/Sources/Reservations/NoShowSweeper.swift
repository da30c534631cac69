import EcoRuntime
import Foundation
import Logging

/// Turns reservations not collected by the end of their window into no-shows, every `interval`, and
/// forgets the pickups kept for reservations that never came here (`LotHolding.pickupPending`) and
/// the copies of peers' reservations and missions whose lots ended a day ago (`RelayedReservations`,
/// `RelayedMissions`).
public enum NoShowSweeper {
    public static func service(book: ReservationBook, interval: Duration = .seconds(30), logger: Logger) -> PeriodicService {
        PeriodicService(name: "no-show sweep", interval: interval, logger: logger) {
            let count = try await book.markNoShows()
            if count > 0 { logger.info("reservations marked as no-shows", metadata: ["reservation.count": "\(count)"]) }
            try await book.forgetPendingPickups()
            _ = try await book.database.write { db in
                let now = Date()
                return try RelayedReservations(db: db).forgetEnded(now: now) + RelayedMissions(db: db).forgetEnded(now: now)
            }
        }
    }
}
