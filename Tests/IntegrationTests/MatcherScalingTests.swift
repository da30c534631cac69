import EcoBus
import EcoConfig
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

/// Matcher workers scaling out on real processes: a worker killed mid-stream, and a deployment
/// that grows from 2 to 3 workers, against the same stream run through one in-memory ledger.
@Suite("Matcher workers scale out", .serialized)
struct MatcherScalingTests {
    @Test("3 workers on 10,000 listings and 10,000 demands, one SIGKILLed halfway: no over-allocation, every matchable pair of a part considered, the same proposals as one worker")
    func killHalfway() async throws {
        let deployment = try await TestDeployment.make(matchers: 3)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.5", "--territory", try Self.marketTerritory(in: deployment)]
        try await deployment.startAnswering(ServiceInstance(.ingest), ServiceInstance(.matcher, index: 0), ServiceInstance(.matcher, index: 1), ServiceInstance(.matcher, index: 2))
        let workload = MaterialWorkload(seed: 42, listings: 10_000, demands: 10_000)

        try await Self.publish(workload, range: 0..<5_000, to: deployment)
        try deployment.kill("matcher-1")
        let appliedAtKill = try await deployment.database(of: ServiceInstance(.matcher, index: 1)).read { db in
            try Int64.fetchOne(db, sql: "SELECT sequence FROM bus_offsets WHERE producer = 'ingest'") ?? 0
        }
        try await Self.publish(workload, range: 5_000..<10_000, to: deployment)
        try deployment.start(ServiceInstance(.matcher, index: 1))

        let outcome = try await Self.settle(deployment, workers: 3)
        #expect(appliedAtKill > 0 && appliedAtKill < outcome.target / 2 + 1_000, "killed mid-stream, at \(appliedAtKill) of \(outcome.target)")
        #expect(outcome.reference.count > 1_000, "a meaningful number of proposals: \(outcome.reference.count)")
        // A third each when balanced; the killed worker announces less, since its parts moved while it was down.
        #expect(outcome.announcedBy.count == 3 && outcome.announcedBy.values.allSatisfy { $0.count > outcome.reference.count / 10 }, "each worker announces its share: \(outcome.announcedBy.mapValues(\.count)) of \(outcome.reference.count)")
        try Self.check(outcome)
        _ = deployment.stopAll()
    }

    @Test("growing from 2 to 3 workers moves the announcing at one tick, without loss or double allocation")
    func grow() async throws {
        let deployment = try await TestDeployment.make(matchers: 2, matcherPorts: 3)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.3", "--territory", try Self.marketTerritory(in: deployment)]
        try await deployment.startAnswering(ServiceInstance(.ingest), ServiceInstance(.matcher, index: 0), ServiceInstance(.matcher, index: 1))
        let workload = MaterialWorkload(seed: 7, listings: 2_000, demands: 2_000)
        try await Self.publish(workload, range: 0..<1_000, to: deployment)
        _ = try await Self.settle(deployment, workers: 2)

        // Restart everything that computes ownership with 3 workers; the new worker replays the whole stream.
        deployment.matchers = 3
        for name in ["ingest", "matcher-0", "matcher-1"] { try deployment.kill(name, signal: SIGTERM) }
        try deployment.start(ServiceInstance(.ingest))
        for index in 0..<3 { try deployment.start(ServiceInstance(.matcher, index: index)) }
        for index in 0..<3 { try await deployment.awaitAnswering(ServiceInstance(.matcher, index: index)) }
        try await Self.publish(workload, range: 1_000..<2_000, to: deployment)

        let outcome = try await Self.settle(deployment, workers: 3)
        try Self.check(outcome)
        let newWorker = outcome.announcedBy[2] ?? []
        #expect(!newWorker.isEmpty, "the new worker announces its share after the change")
        #expect(newWorker.allSatisfy { outcome.tickMatchersAtCreation[$0.id] == 3 }, "and nothing from before it")
        _ = deployment.stopAll()
    }

    // MARK: - Helpers

    /// The embedded territory with a service area over the synthetic market's region (around Lyon,
    /// outside the embedded metropolitan area), so that ingest accepts its listings and demands.
    static func marketTerritory(in deployment: TestDeployment) throws -> String {
        var source = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { source.deleteLastPathComponent() }  // MatcherScalingTests.swift, IntegrationTests, Tests
        let embedded = source.appendingPathComponent("Shared/Territory/Resources/territory.json")
        var territory = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: embedded)) as? [String: Any])
        territory["serviceArea"] = ["type": "Polygon", "coordinates": [[[2.5, 43.5], [7.5, 43.5], [7.5, 48], [2.5, 48], [2.5, 43.5]]]]
        let file = deployment.root.appendingPathComponent("market-territory.json")
        try JSONSerialization.data(withJSONObject: territory).write(to: file)
        return file.path
    }

    /// Publishes listings and demands `range` of the workload through ingest's bus requests, 32 at a time.
    static func publish(_ workload: MaterialWorkload, range: Range<Int>, to deployment: TestDeployment) async throws {
        let endpoint = deployment.endpoint(ServiceInstance(.ingest))
        let client = try await deployment.client
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for index in range {
                let actor = Actor(accountId: "company-\(index % 97)", organisationIds: [])
                let listing = try EventCodec.encoder.encode(ListingRequests.Create(actor: actor, draft: workload.listings[index]))
                let demand = try EventCodec.encoder.encode(DemandRequests.Create(actor: actor, draft: workload.demands[index]))
                for (kind, body) in [(ListingRequests.create, listing), (DemandRequests.create, demand)] {
                    if inFlight == 32 {
                        try await group.next()
                        inFlight -= 1
                    }
                    group.addTask { _ = try await client.request(endpoint, kind: kind, body: [body], timeout: .seconds(30)) }
                    inFlight += 1
                }
            }
            try await group.waitForAll()
        }
    }

    struct Outcome {
        /// The tick of ingest's stream every worker applied, and its time.
        var target: Int64
        var lastTick: Date
        /// Proposals made by the single in-memory run of ingest's stream.
        var reference: [MaterialProposal]
        var referenceStore: InMemoryLedgerStore
        /// `proposal.created` as each worker announced them.
        var announcedBy: [Int: [MaterialProposal]]
        /// What each worker's own ledger holds: proposals (id → kg and status), and what is left of each listing and demand.
        var ledgers: [Int: Ledger]
        var tickMatchersAtCreation: [String: Int]
        /// The market parts each worker holds (docs/decisions/0016).
        var heldBy: [Int: Set<String>]
    }

    struct Ledger: Equatable {
        var proposals: [String: String]
        var listingsLeft: [String: Double]
        var demandsLeft: [String: Double]
    }

    /// Waits for a tick after everything published, then for every worker (or the `live` ones) to
    /// have applied it; then replays ingest's stream up to that tick through one in-memory ledger.
    /// Announcements are read from every worker, ledgers and parts from the live ones.
    static func settle(_ deployment: TestDeployment, workers: Int, live: [Int]? = nil) async throws -> Outcome {
        let live = live ?? Array(0..<workers)
        let ingest = try deployment.database(of: ServiceInstance(.ingest))
        let published = try await ingest.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM bus_outbox WHERE topic IN ('listing.published', 'demand.published')") ?? 0
        }
        let target = try await eventually("a matching tick after the last publication") { () -> Int64? in
            try await ingest.read { db in
                try Int64.fetchOne(db, sql: "SELECT MIN(sequence) FROM bus_outbox WHERE topic = 'matching.tick' AND sequence > ?", arguments: [published])
            }
        }
        for index in live {
            let database = try deployment.database(of: ServiceInstance(.matcher, index: index))
            _ = try await eventually("matcher-\(index) to apply ingest's stream up to \(target)", timeout: .seconds(600), interval: .milliseconds(250)) { () -> Bool? in
                try deployment.checkRunning("matcher-\(index)")
                let applied = try await database.read { db in
                    try Int64.fetchOne(db, sql: "SELECT sequence FROM bus_offsets WHERE producer = 'ingest'") ?? 0
                }
                return applied >= target ? true : nil
            }
        }

        // The single-worker run: the same stream, in the same order, through one in-memory ledger.
        let store = InMemoryLedgerStore()
        var reference: [MaterialProposal] = []
        var tickMatchers: [String: Int] = [:]
        var matchers = 1
        var lastTick = Date.distantPast
        let rows = try await ingest.read { db in
            try Row.fetchAll(db, sql: """
                SELECT topic, payload FROM bus_outbox WHERE sequence <= ? AND topic IN
                    ('listing.published', 'demand.published', 'licence.recorded', 'proposal.responded', 'handover.validated', 'matching.tick')
                ORDER BY sequence
                """, arguments: [target]).map { (topic: $0["topic"] as String, payload: $0["payload"] as Data) }
        }
        for row in rows {
            let input: MaterialLedger.Input
            switch row.topic {
            case ListingPublished.topic: input = .listing(try EventCodec.decoder.decode(CloudEvent<ListingPublished>.self, from: row.payload).data.listing)
            case DemandPublished.topic: input = .demand(try EventCodec.decoder.decode(CloudEvent<DemandPublished>.self, from: row.payload).data.demand)
            case LicenceRecorded.topic: input = .licence(try EventCodec.decoder.decode(CloudEvent<LicenceRecorded>.self, from: row.payload).data)
            case ProposalResponded.topic: input = .response(try EventCodec.decoder.decode(CloudEvent<ProposalResponded>.self, from: row.payload).data)
            case HandoverValidated.topic: input = .handover(try EventCodec.decoder.decode(CloudEvent<HandoverValidated>.self, from: row.payload).data.pickup)
            default:
                let tick = try EventCodec.decoder.decode(CloudEvent<MatchingTick>.self, from: row.payload).data
                matchers = tick.matchers
                lastTick = tick.at
                input = .tick(tick)
            }
            for case .proposal(ProposalChanged.createdTopic, let proposal) in try MaterialLedger.apply(input, to: store) {
                reference.append(proposal)
                tickMatchers[proposal.id] = matchers
            }
        }

        var announced: [Int: [MaterialProposal]] = [:]
        var ledgers: [Int: Ledger] = [:]
        var heldBy: [Int: Set<String>] = [:]
        for index in 0..<workers {
            // A worker that never started has no store, and announced nothing.
            let file = deployment.dataDirectory.appendingPathComponent(ServiceInstance(.matcher, index: index).name + ".sqlite")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            let database = try deployment.database(of: ServiceInstance(.matcher, index: index))
            let (payloads, ledger) = try await database.read { db in
                (try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox WHERE topic = 'proposal.created' ORDER BY sequence"),
                 Ledger(
                    proposals: Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, status FROM material_proposals").map { ($0["id"], $0["status"]) }),
                    listingsLeft: Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, remaining_kg FROM material_listings").map { ($0["id"], $0["remaining_kg"]) }),
                    demandsLeft: Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, remaining_kg FROM material_demands").map { ($0["id"], $0["remaining_kg"]) })))
            }
            heldBy[index] = try await database.read { db in try PartHolding(db).held() }
            announced[index] = try payloads.map { try EventCodec.decoder.decode(CloudEvent<ProposalChanged>.self, from: $0).data.proposal }
            if live.contains(index) { ledgers[index] = ledger } else { heldBy[index] = nil }
        }
        return Outcome(target: target, lastTick: lastTick, reference: reference, referenceStore: store, announcedBy: announced, ledgers: ledgers, tickMatchersAtCreation: tickMatchers,
                       heldBy: heldBy)
    }

    /// What a failed check needs to be understood: both sides as matching sees them, and their proposals.
    static func describe(_ listing: MaterialMatching.OpenListing, _ demand: MaterialMatching.OpenDemand, in store: InMemoryLedgerStore, lastTick: Date) -> String {
        let proposals = store.proposals.values.filter { $0.listingId == listing.id || $0.demandId == demand.id }
            .map { "\($0.id) \($0.quantityKg) kg \($0.status.rawValue) created \($0.createdAt.timeIntervalSince1970)" }
        return "listing left \(listing.remainingKg) of \(store.listings[listing.id]?.listing.quantityKg ?? -1) kg, \(listing.from)–\(listing.until); "
            + "demand left \(demand.remainingKg) (min \(demand.minimumKg)), \(demand.from)–\(demand.until), reach \(demand.maximumDistanceKm) km at \(listing.point.distanceKm(to: demand.point)) km; "
            + "last tick \(lastTick.timeIntervalSince1970); proposals \(proposals)"
    }

    /// `minimumPairs`: how many compatible pairs the brute-force sample must hold to mean something.
    static func check(_ outcome: Outcome, minimumPairs: Int = 100) throws {
        let all = outcome.announcedBy.values.flatMap { $0 }
        #expect(Set(all.map(\.id)).count == all.count, "no proposal is announced twice")
        // The same proposals, with the same quantities, windows and scores, as the single-worker run.
        #expect(Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                == Dictionary(outcome.reference.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
        let store = outcome.referenceStore
        let referenceLedger = Ledger(
            proposals: store.proposals.mapValues(\.status.rawValue), listingsLeft: store.listings.mapValues(\.remainingKg),
            demandsLeft: store.demands.mapValues(\.remainingKg))
        // Each part is held by one worker, and each worker's ledger is the single-worker run's for its parts.
        let parts = Set(store.listings.values.map(\.listing.marketPart)).union(store.demands.values.map(\.demand.marketPart))
        let holders = outcome.heldBy.values.flatMap { $0 }
        #expect(Set(holders).isSuperset(of: parts) && holders.count == Set(holders).count, "every part held once: \(outcome.heldBy)")
        for (worker, ledger) in outcome.ledgers {
            let held = outcome.heldBy[worker] ?? []
            let listingsHere = store.listings.filter { held.contains($0.value.listing.marketPart) }
            let expected = Ledger(
                proposals: referenceLedger.proposals.filter { listingsHere[store.proposals[$0.key]?.listingId ?? ""] != nil },
                listingsLeft: listingsHere.mapValues(\.remainingKg),
                demandsLeft: store.demands.filter { held.contains($0.value.demand.marketPart) }.mapValues(\.remainingKg))
            #expect(ledger == expected, "matcher-\(worker)'s ledger (proposals, statuses, what is left) equals the single-worker run for its parts")
        }
        // No quantity over-allocated, on either side.
        var given: [String: Double] = [:], taken: [String: Double] = [:]
        for proposal in all {
            given[proposal.listingId, default: 0] += proposal.quantityKg
            taken[proposal.demandId, default: 0] += proposal.quantityKg
        }
        for (listingId, kg) in given {
            #expect(kg <= (store.listings[listingId]?.listing.quantityKg ?? 0) + 1e-6, "listing \(listingId) over-allocated")
        }
        for (demandId, kg) in taken {
            #expect(kg <= (store.demands[demandId]?.demand.draft.maximumKg ?? 0) + 1e-6, "demand \(demandId) over-allocated")
        }
        // Every matchable pair of a part was considered. Checked by brute force, without the matcher's
        // index: for one listing in five against every demand of its part, a compatible pair either was
        // proposed, or one side has too little left for it (less than the demand's minimum, or nothing).
        let allListings = store.listings.values.map { MaterialMatching.OpenListing($0.listing, remainingKg: $0.remainingKg) }.sorted { $0.id < $1.id }
        let demands = store.demands.values.map { MaterialMatching.OpenDemand($0.demand, remainingKg: $0.remainingKg) }
        let proposed = try store.proposedPairs()
        let licences = try store.licensedChapters()
        var compatiblePairs = 0
        for listing in allListings.enumerated().filter({ $0.offset % 5 == 0 }).map(\.element) {
            for demand in demands where demand.until > outcome.lastTick && listing.until > outcome.lastTick
                && MarketParts.part(of: demand.point) == MarketParts.part(of: listing.point) {
                guard MaterialMatching.compatible(listing, demand, licensedChapters: licences) != nil else { continue }
                compatiblePairs += 1
                if proposed.contains(listing.id + "|" + demand.id) { continue }
                let quantity = min(listing.remainingKg, demand.remainingKg)
                #expect(quantity < MaterialMatching.minimumQuantityKg || quantity < min(demand.minimumKg, demand.remainingKg),
                        "\(listing.id) and \(demand.id) could still be matched (\(quantity) kg): \(Self.describe(listing, demand, in: store, lastTick: outcome.lastTick))")
            }
        }
        #expect(compatiblePairs > minimumPairs, "the sample holds compatible pairs: \(compatiblePairs)")
    }
}
