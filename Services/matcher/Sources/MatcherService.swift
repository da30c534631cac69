import EcoConfig
import EcoRuntime
import EcoStore

/// A matcher worker: owns the lots whose id hashes to its number (`LotOwnership`) and allocates
/// their baskets; N workers share the lots.
public enum MatcherService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = ReservationBook.migrations + MissionBook.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        let book = ReservationBook(
            database: runtime.database, outbox: runtime.outbox,
            worker: runtime.config.instance.index ?? 0, workers: runtime.config.matcherCount)
        let requests = ReservationRequestHandlers(
            book: book, loop: runtime.loop,
            pickupValidator: runtime.config.topology.routerEndpoint(of: ServiceInstance(.pickupValidator)), logger: runtime.logger)
        let missions = MissionBook(book: book)
        return ServiceParts(
            handlers: [MatcherEventHandlers(book: book, missions: missions)],
            requestHandlers: requests.handlers.merging(MissionRequestHandlers(missions: missions).handlers) { first, _ in first },
            services: [NoShowSweeper.service(book: book, logger: runtime.logger)])
    }
}
