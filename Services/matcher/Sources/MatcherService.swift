import EcoConfig
import EcoRuntime
import EcoStore

/// A matcher worker: holds the food lots the latest tick's members give it (`LotHolders`,
/// docs/decisions/0017) and allocates their baskets; lots move with the members (`LotHandover`). For materials, each worker holds the market parts the
/// latest tick's members give it, applies ingest's stream for them, and announces their proposals
/// (`MaterialLedger`, docs/decisions/0016).
public enum MatcherService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = ReservationBook.migrations + MissionBook.migrations + SQLiteLedgerStore.migrations + LedgerPosition.migrations
        + PartHolding.migrations + PartColumns.migrations + LotHolding.migrations + RelayedReservations.migrations
        + RelayedMissions.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime) -> ServiceParts {
        let book = ReservationBook(
            database: runtime.database, outbox: runtime.outbox,
            worker: runtime.config.instance.index ?? 0, workers: runtime.config.matcherCount)
        let requests = ReservationRequestHandlers(
            book: book, loop: runtime.loop,
            pickupValidator: runtime.config.topology.routerEndpoint(of: ServiceInstance(.pickupValidator)),
            ingest: runtime.config.topology.routerEndpoint(of: ServiceInstance(.ingest)), logger: runtime.logger)
        let missions = MissionBook(book: book)
        let materials = MaterialEventHandler(
            worker: runtime.config.instance.index ?? 0, workers: runtime.config.matcherCount, outbox: runtime.outbox,
            rebuilder: IngestPartRebuilder(loop: runtime.loop, topology: runtime.config.topology, logger: runtime.logger), logger: runtime.logger)
        let handover = LedgerHandover(topology: runtime.config.topology, loop: runtime.loop, database: runtime.database, logger: runtime.logger)
        var parts = ServiceParts(
            handlers: [MatcherEventHandlers(book: book, missions: missions, handover: LotHandover(book: book, logger: runtime.logger)), materials],
            requestHandlers: requests.handlers
                .merging(MissionRequestHandlers(
                    missions: missions, loop: runtime.loop,
                    pickupValidator: runtime.config.topology.routerEndpoint(of: ServiceInstance(.pickupValidator)), logger: runtime.logger
                ).handlers) { first, _ in first }
                .merging(MaterialRequestHandlers(database: runtime.database).handlers) { first, _ in first }
                .merging(handover.handlers) { first, _ in first },
            services: [NoShowSweeper.service(book: book, logger: runtime.logger)],
            personalData: [PseudonymousRows(section: "reservations", [
                .init("reservations", by: ["taker_id"]), .init("missions", by: ["association_id", "collector_id"]),
                .init("material_proposals", by: ["giver_id", "taker_id"]), .init("relayed_reservations", by: ["taker_id"]),
                .init("relayed_missions", by: ["association_id", "collector_id"]),
            ])],
            retention: [ReservationEventCompaction(), LotHandoverExpiry()])
        // Its copies of a sole trader's offers are redacted when ingest's `listing.redacted` and
        // `demand.redacted` arrive, before ingest's own `privacy.erased`.
        parts.erasureAwaits = [ServiceInstance(.ingest)]
        parts.beforeConsuming = { await handover.run() }
        return parts
    }
}
