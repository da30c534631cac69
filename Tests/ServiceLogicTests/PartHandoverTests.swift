import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
import MatcherService
import Testing

/// Market parts moving between workers at ticks (docs/decisions/0016): whatever the members do,
/// the workers together announce exactly what one worker holding the whole market announces.
@Suite("PartHandover: market parts moving between workers")
struct PartHandoverTests {
    static let latitudes = (0..<12).map { 43.30 + Double($0) * 0.5 }

    /// Ingest's event `sequence`, stamped with its part as ingest stamps it.
    static func event(_ type: String, sequence: Int64, part: String?, _ data: some Encodable) throws -> ReceivedEvent {
        let body = String(decoding: try EventCodec.encoder.encode(data), as: UTF8.self)
        let key = part.map { #","partitionkey":"\#($0)""# } ?? ""
        let json = Data(#"{"specversion":"1.0","id":"ingest-\#(sequence)","source":"ingest","type":"\#(type)","time":"2026-12-01T00:00:00.000Z","sequence":\#(sequence)\#(key),"data":\#(body)}"#.utf8)
        return ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: json), payload: json)
    }

    static func tick(_ seconds: TimeInterval, members: [Int]) -> MatchingTick {
        MatchingTick(at: MaterialLedgerTests.start.addingTimeInterval(seconds), matchers: 3, members: members, proposalTimeoutSeconds: 600, shareAfterSeconds: 7200)
    }

    /// Twelve parts, each with a listing and a demand; one proposal is accepted and handed over, the
    /// others expire; the members grow from 2 to 3, lose worker 1, shrink to worker 0 and grow again.
    static func stream(members: ([Int]) -> [Int] = { $0 }) throws -> [ReceivedEvent] {
        var events: [(String, String?, any Encodable)] = []
        for (index, latitude) in latitudes.enumerated() {
            let listing = MaterialLedgerTests.listing("L\(index)", latitude: latitude, company: "giver\(index)")
            let demand = MaterialLedgerTests.demand("D\(index)", requester: "taker\(index)", latitude: latitude - 0.01)
            events.append((ListingPublished.topic, listing.marketPart, ListingPublished(listing: listing)))
            events.append((DemandPublished.topic, demand.marketPart, DemandPublished(demand: demand)))
        }
        let part0 = MaterialLedgerTests.listing("L0").marketPart
        let part1 = MaterialLedgerTests.listing("L1", latitude: latitudes[1]).marketPart
        events.append((MatchingTick.topic, nil, tick(10, members: members([0, 1]))))
        let proposal = MaterialProposal.id(listingId: "L0", demandId: "D0")
        for side in [ProposalSide.listing, .demand] {
            events.append((ProposalResponded.topic, part0, ProposalResponded(
                proposalId: proposal, listingId: "L0", demandId: "D0", side: side, accept: true, by: "someone", at: MaterialLedgerTests.start)))
        }
        events.append((MatchingTick.topic, nil, tick(20, members: members([0, 1, 2]))))
        let more = MaterialLedgerTests.listing("L99", kg: 300, latitude: latitudes[1], company: "giver99")
        events.append((ListingPublished.topic, part1, ListingPublished(listing: more)))
        // A second demand in every part: whoever holds the parts at the next tick proposes the listings' rest.
        for (index, latitude) in latitudes.enumerated() {
            let demand = MaterialLedgerTests.demand("E\(index)", max: 300, requester: "second\(index)", latitude: latitude - 0.02)
            events.append((DemandPublished.topic, demand.marketPart, DemandPublished(demand: demand)))
        }
        events.append((MatchingTick.topic, nil, tick(30, members: members([0, 2]))))
        var pickup = PickupCompleted(
            reservationId: proposal, lotId: "L0", takerId: "taker0", merchantId: "giver0", validatedBy: "giver0", baskets: 1, meals: 0,
            weightKg: 600, valueSavedCents: 0, isFree: true, completedAt: MaterialLedgerTests.start.addingTimeInterval(40))
        pickup.listingId = "L0"
        events.append((HandoverValidated.topic, part0, HandoverValidated(pickup: pickup)))
        events.append((MatchingTick.topic, nil, tick(700, members: members([0]))))
        events.append((MatchingTick.topic, nil, tick(800, members: members([0, 1, 2]))))
        return try events.enumerated().map { index, event in try Self.event(event.0, sequence: Int64(index + 1), part: event.1, event.2) }
    }

    /// What a worker announced: each event's topic and data, with the keys sorted.
    static func announced(_ store: TemporaryStore) throws -> [String] {
        try store.pool.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }.map { payload in
            let event = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            let data = try JSONSerialization.data(withJSONObject: try #require(event["data"]), options: [.sortedKeys])
            return "\(event["type"] ?? "") \(String(decoding: data, as: UTF8.self))"
        }
    }

    static func run(_ events: [ReceivedEvent], worker: Int, workers: Int = 3) throws -> TemporaryStore {
        let store = try TemporaryStore(MatcherService.migrations, producer: "matcher-\(worker)")
        let handler = MaterialEventHandler(worker: worker, workers: workers, outbox: store.outbox, rebuilder: EventListRebuilder(events: events), logger: Logger(label: "test"))
        for event in events { try store.pool.write { db in try handler.apply(event, in: db) } }
        return store
    }

    @Test("grow, lose a worker, shrink, grow: the workers' announcements together are one worker's, each once")
    func membershipChanges() throws {
        let events = try Self.stream()
        let alone = try Self.run(try Self.stream(members: { _ in [0] }), worker: 0, workers: 1)
        let reference = try Self.announced(alone)
        #expect(reference.contains { $0.hasPrefix(OperationCompleted.topic) }, "the stream completes an operation")
        #expect(reference.filter { $0.hasPrefix(ProposalChanged.expiredTopic) }.count >= 10, "and lets proposals expire")
        // Worker 1 is "killed" after the tick at 20: it applies nothing after it, as if it never came back.
        let killedAt = try #require(events.firstIndex { $0.type == MatchingTick.topic && (try? $0.decodeData(MatchingTick.self).at) == Self.tick(30, members: []).at })
        let workers = [try Self.run(events, worker: 0), try Self.run(Array(events[..<killedAt]), worker: 1), try Self.run(events, worker: 2)]
        let together = try workers.flatMap { try Self.announced($0) }
        #expect(together.sorted() == reference.sorted())
        #expect(try workers.allSatisfy { try !Self.announced($0).isEmpty }, "every worker announced part of it")
    }

    @Test("each proposal event carries the proposal as its row stores it, encoded once for both")
    func proposalEventsCarryTheRow() throws {
        let store = try Self.run(try Self.stream(members: { _ in [0] }), worker: 0, workers: 1)
        let (payloads, rows) = try store.pool.read { db in
            (try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox WHERE topic LIKE 'proposal.%' ORDER BY sequence"),
             try Row.fetchAll(db, sql: "SELECT id, body FROM material_proposals"))
        }
        let stored = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as String, $0["body"] as Data) })
        #expect(payloads.count >= 20)
        var latest: [String: Data] = [:]
        for payload in payloads {
            let event = try EventCodec.decoder.decode(CloudEvent<ProposalChanged>.self, from: payload)
            latest[event.data.proposal.id] = payload
        }
        // The latest event of each proposal holds the row's JSON verbatim, and decodes to the row's
        // proposal (but a completed one, whose last step is an operation, not a proposal event).
        var compared = 0
        for (id, payload) in latest {
            let body = try #require(stored[id])
            guard try EventCodec.decoder.decode(MaterialProposal.self, from: body).status != .completed else { continue }
            compared += 1
            #expect(payload.range(of: Data(#""data":{"proposal":"#.utf8) + body + Data("}}".utf8)) != nil, "proposal \(id)")
            #expect(try EventCodec.decoder.decode(CloudEvent<ProposalChanged>.self, from: payload).data.proposal
                == EventCodec.decoder.decode(MaterialProposal.self, from: body))
        }
        #expect(compared >= 10)
    }

    @Test("a worker holds only its parts: the others' listings and demands are not in its ledger")
    func holdsItsParts() throws {
        let events = try Self.stream()
        let store = try Self.run(Array(events.prefix(Self.latitudes.count * 2 + 1)), worker: 1, workers: 2)
        let (held, listings) = try store.pool.read { db in
            (try PartHolding(db).held(), try String.fetchAll(db, sql: "SELECT id FROM material_listings ORDER BY id"))
        }
        // Twelve parts between two members: six each (`PartAssignment`).
        #expect(held.count == Self.latitudes.count / 2)
        let expected = Self.latitudes.indices.filter { held.contains(MarketParts.part(of: GeoPoint(latitude: Self.latitudes[$0], longitude: 5.37))) }.map { "L\($0)" }
        #expect(listings == expected.sorted(), "one listing per held part")
    }
}
