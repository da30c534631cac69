import EcoRuntime
import EcoStore

/// The ingest service: validates and stores what people publish (food lots, surplus listings and
/// demands) and announces it on the bus; it also sequences the materials exchange (answers, licences,
/// and the matching clock) so that every matcher worker sees them in one order.
public enum IngestService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = LotStore.migrations + ListingStore.migrations + DemandStore.migrations + ProposalAnswers.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime, matching: MatchingPolicy = MatchingPolicy()) -> ServiceParts {
        let lots = LotStore(database: runtime.database, outbox: runtime.outbox)
        let photos = PhotoStore(directory: runtime.config.dataDirectory.appendingPathComponent("ingest-photos", isDirectory: true))
        let listings = ListingStore(database: runtime.database, outbox: runtime.outbox)
        let demands = DemandStore(database: runtime.database, outbox: runtime.outbox)
        let answers = ProposalAnswers(database: runtime.database, outbox: runtime.outbox)
        let clock = MatchingClock(database: runtime.database, outbox: runtime.outbox, policy: matching, matchers: runtime.config.matcherCount)
        return ServiceParts(
            handlers: [ReservedBaskets(), HandoverSequencer(outbox: runtime.outbox)],
            requestHandlers: LotRequestHandlers(store: lots, photos: photos).handlers
                .merging(listings.handlers(photos: photos)) { first, _ in first }
                .merging(demands.handlers) { first, _ in first }
                .merging(answers.handlers) { first, _ in first },
            services: [clock.service(logger: runtime.logger)])
    }
}
