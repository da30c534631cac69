import EcoRuntime
import EcoStore
import EcoTerritory

/// The ingest service: validates and stores what people publish (food lots, surplus listings,
/// demands and environmental reports) and announces it on the bus; it also sequences the materials exchange (answers, licences,
/// and the matching clock) so that every matcher worker sees them in one order.
public enum IngestService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    /// What ingest purges, and when. Its materials stream is kept whole: each market part is rebuilt
    /// from it (docs/decisions/0016).
    public static let retention: [any PurgeJob] = [ClosedReportContacts(), ReportEventCompaction(), LotEventCompaction()]

    public static let migrations: [Migration] = LotStore.migrations + ListingStore.migrations + DemandStore.migrations + ProposalAnswers.migrations
        + ReportDesk.migrations + ReportStatusDesk.migrations + ReportSearch.migrations + LotSearchIndex.migrations
        + MarketGridRecord.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    public static func parts(runtime: ServiceRuntime, matching: MatchingPolicy = MatchingPolicy(), territory: Territory) -> ServiceParts {
        let area = PublishingArea(territory.serviceArea)
        let lots = LotStore(database: runtime.database, outbox: runtime.outbox, area: area)
        let photos = PhotoStore(directory: runtime.config.dataDirectory.appendingPathComponent("ingest-photos", isDirectory: true))
        let listings = ListingStore(database: runtime.database, outbox: runtime.outbox, area: area, grid: matching.grid)
        let demands = DemandStore(database: runtime.database, outbox: runtime.outbox, area: area, grid: matching.grid)
        let filers = ReportFilerData(outbox: runtime.outbox, photos: photos)
        let reports = ReportDesk(database: runtime.database, outbox: runtime.outbox, territory: territory, photos: photos)
        let answers = ProposalAnswers(database: runtime.database, outbox: runtime.outbox, grid: matching.grid)
        let membership = MatcherMembership(directory: runtime.directory)
        let clock = MatchingClock(
            database: runtime.database, outbox: runtime.outbox, policy: matching, matchers: runtime.config.matcherCount,
            membership: { membership.alive() })
        return ServiceParts(
            handlers: [ReservedBaskets(), HandoverSequencer(outbox: runtime.outbox, grid: matching.grid)],
            requestHandlers: LotRequestHandlers(store: lots, photos: photos).handlers
                .merging(listings.handlers(photos: photos)) { first, _ in first }
                .merging(demands.handlers) { first, _ in first }
                .merging(answers.handlers) { first, _ in first }
                .merging(reports.handlers) { first, _ in first }
                .merging(ReportStatusDesk(database: runtime.database, outbox: runtime.outbox, territory: territory).handlers) { first, _ in first }
                .merging(ReportQueue(database: runtime.database, outbox: runtime.outbox, territory: territory).handlers) { first, _ in first }
                .merging(ReportSearch(database: runtime.database, territory: territory).handlers) { first, _ in first }
                .merging(ReportFollowers(database: runtime.database).handlers) { first, _ in first }
                .merging(FilingErasure(filers: filers, database: runtime.database, logger: runtime.logger).handlers()) { first, _ in first }
                .merging(LotWorkerRelease(
                    database: runtime.database, outbox: runtime.outbox, heard: { membership.settled() }, logger: runtime.logger).handlers) { first, _ in first },
            services: [clock.service(logger: runtime.logger)],
            personalData: [filers, PublisherData(outbox: runtime.outbox, photos: photos, grid: matching.grid)],
            retention: retention)
    }
}
