import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import GRDB
import IngestService
import MatcherService

/// The benchmark's market: a synthetic workload published through ingest's own stores into an
/// ingest database, so that a real ingest process serves it to the workers by replay.
struct MatcherBenchMarket: Sendable {
    static let migrations = BusSchema.migrations + Diagnostics.migrations + IngestService.migrations
    let database: URL
    let events: Int
    /// The grid the market is cut with; ingest is started with it.
    let grid: MarketGrid

    static func build(at directory: URL, seed: UInt64, listings: Int, demands: Int, grid: MarketGrid) async throws -> MatcherBenchMarket {
        let url = directory.appendingPathComponent("ingest.sqlite")
        let pool = try DatabaseOpener.open(at: url, fullSync: false, migrations: migrations)
        try await InstalledMarketGrid.confirm(grid, in: pool)
        let outbox = Outbox(producer: ServiceInstance(.ingest).name)
        let listingStore = ListingStore(database: pool, outbox: outbox, area: .anywhere, grid: grid)
        let demandStore = DemandStore(database: pool, outbox: outbox, area: .anywhere, grid: grid)
        let workload = MaterialWorkload(seed: seed, listings: listings, demands: demands)
        for index in 0..<max(listings, demands) {
            let actor = Actor(accountId: "company-\(index % 997)", organisationIds: [])
            if index < listings { _ = try await listingStore.create(workload.listings[index], by: actor) }
            if index < demands { _ = try await demandStore.create(workload.demands[index], by: actor) }
        }
        let events = try await pool.write { db in Int(try Outbox.latestSequence(db)) }
        try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
        return MatcherBenchMarket(database: url, events: events, grid: grid)
    }

    /// A copy of the market's database with one matching tick for `workers` appended; returns the tick's sequence.
    func copy(to directory: URL, workers: Int) throws -> Int64 {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("ingest.sqlite")
        try FileManager.default.copyItem(at: database, to: url)
        let pool = try DatabaseOpener.open(at: url, fullSync: false, migrations: Self.migrations)
        defer { try? pool.close() }
        return try pool.write { db in
            try Outbox(producer: ServiceInstance(.ingest).name).append(
                MatchingTick.topic, MatchingTick(at: Date(), matchers: workers, proposalTimeoutSeconds: 172_800, shareAfterSeconds: 86_400), in: db)
        }
    }

    /// The same stream through one in-memory ledger: the time to apply it, the one round (part by
    /// part, as the workers match), the kilograms one pass over the whole market would propose, and
    /// those a second stage on the shifted grid would add (`SeamStageEstimate`).
    func inMemoryRun() throws -> (applySeconds: Double, roundSeconds: Double, proposals: Int, proposedKg: Double, wholeMarketKg: Double, seamStageKg: Double) {
        let queue = try DatabaseQueue(path: database.path)
        let start = ContinuousClock.now
        let store = InMemoryLedgerStore()
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT topic, payload, partition_key FROM bus_outbox ORDER BY sequence")
            while let row = try rows.next() {
                let payload: Data = row["payload"]
                let part: String? = row["partition_key"]
                switch row["topic"] as String {
                case ListingPublished.topic:
                    let listing = try EventCodec.decoder.decode(CloudEvent<ListingPublished>.self, from: payload).data.listing
                    _ = try MaterialLedger.apply(.listing(listing, part: part), to: store)
                case DemandPublished.topic:
                    let demand = try EventCodec.decoder.decode(CloudEvent<DemandPublished>.self, from: payload).data.demand
                    _ = try MaterialLedger.apply(.demand(demand, part: part), to: store)
                default:
                    break
                }
            }
        }
        let applied = ContinuousClock.now
        let at = Date()
        let whole = MaterialMatching.propose(listings: try store.openListings(at: at), demands: try store.openDemands(at: at))
        let roundStart = ContinuousClock.now
        let outputs = try MaterialLedger.apply(
            .tick(MatchingTick(at: Date(), matchers: 1, proposalTimeoutSeconds: 172_800, shareAfterSeconds: 86_400)), to: store)
        let round = roundStart.duration(to: .now)
        let proposals = outputs.compactMap { if case .proposal(_, let proposal) = $0 { proposal } else { nil } }
        let seamStage = try SeamStageEstimate.kilograms(after: store, cellDegrees: grid.cellDegrees, at: at)
        return (start.duration(to: applied).seconds, round.seconds, proposals.count, proposals.reduce(0) { $0 + $1.quantityKg },
                whole.reduce(0) { $0 + $1.quantityKg }, seamStage)
    }
}
