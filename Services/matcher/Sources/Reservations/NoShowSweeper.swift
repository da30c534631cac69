import Foundation
import Logging
import ServiceLifecycle

/// Turns reservations not collected by the end of their window into no-shows, every `interval`.
public struct NoShowSweeper: Service {
    let book: ReservationBook
    let interval: Duration
    let logger: Logger

    public init(book: ReservationBook, interval: Duration = .seconds(30), logger: Logger) {
        self.book = book
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let count = try await book.markNoShows()
                    if count > 0 { logger.info("reservations marked as no-shows", metadata: ["reservation.count": "\(count)"]) }
                } catch {
                    logger.error("no-show sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
