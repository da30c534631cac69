import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
import MatcherService
import Testing

/// A peer's materials ledger handed to a worker (docs/decisions/0014): the copy is the ledger, at
/// the peer's position, and the worker goes on from there exactly as the peer does.
@Suite("LedgerSnapshot: a worker's materials ledger copied to another")
struct LedgerSnapshotTests {
    /// Ingest's event `sequence` of `type`, as a worker receives it.
    static func event(_ type: String, sequence: Int64, from source: String = "ingest", _ data: some Encodable) throws -> ReceivedEvent {
        let body = String(decoding: try EventCodec.encoder.encode(data), as: UTF8.self)
        let json = Data(#"{"specversion":"1.0","id":"\#(source)-\#(sequence)","source":"\#(source)","type":"\#(type)","time":"2026-12-01T00:00:00.000Z","sequence":\#(sequence),"data":\#(body)}"#.utf8)
        return ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: json), payload: json)
    }

    static func tick(_ seconds: TimeInterval) -> MatchingTick {
        MatchingTick(at: MaterialLedgerTests.start.addingTimeInterval(seconds), matchers: 2, proposalTimeoutSeconds: 600, shareAfterSeconds: 60)
    }

    /// The stream: three listings, two demands, ticks that propose, expire and share, an answer.
    static func stream() throws -> [ReceivedEvent] {
        var events: [(String, any Encodable)] = [
            (ListingPublished.topic, ListingPublished(listing: MaterialLedgerTests.listing("L1", kg: 800))),
            (ListingPublished.topic, ListingPublished(listing: MaterialLedgerTests.listing("L2", kg: 300, company: "other"))),
            (DemandPublished.topic, DemandPublished(demand: MaterialLedgerTests.demand("D1", max: 500))),
            (MatchingTick.topic, tick(10)),
            (ListingPublished.topic, ListingPublished(listing: MaterialLedgerTests.listing("L3", kg: 2000, company: "third"))),
            (DemandPublished.topic, DemandPublished(demand: MaterialLedgerTests.demand("D2", max: 900, requester: "fourth"))),
            (MatchingTick.topic, tick(20)),
            (MatchingTick.topic, tick(700)),
        ]
        events.append((ProposalResponded.topic, ProposalResponded(
            proposalId: MaterialProposal.id(listingId: "L1", demandId: "D1"), listingId: "L1", demandId: "D1", side: .listing, accept: false,
            by: "giver", at: MaterialLedgerTests.start)))
        events.append((MatchingTick.topic, tick(800)))
        return try events.enumerated().map { index, event in try Self.event(event.0, sequence: Int64(index + 1) * 2, event.1) }
    }

    static func apply(_ events: [ReceivedEvent], worker: Int, to store: TemporaryStore) throws {
        let handler = MaterialEventHandler(worker: worker, workers: 2, outbox: store.outbox, rebuilder: EventListRebuilder(events: events), logger: Logger(label: "test"))
        for event in events { try store.pool.write { db in try handler.apply(event, in: db) } }
    }

    @Test("a copy at the peer's position, then the rest of the stream, ends where the peer ends, and announces only the rest")
    func handOver() throws {
        let events = try Self.stream()
        let peer = try TemporaryStore(MatcherService.migrations, producer: "matcher-0")
        try Self.apply(events, worker: 0, to: peer)
        let final = try peer.pool.read { try LedgerSnapshot.read($0) }
        #expect(final.appliedThrough == Int64(events.count) * 2)
        #expect(final.proposals.count >= 2 && final.listings.contains { $0.sharedAt != nil }, "the stream proposes, declines and shares: \(final)")

        // A new worker takes the peer's ledger as it was half-way, then replays the whole stream.
        let halfway = try TemporaryStore(MatcherService.migrations, producer: "matcher-0")
        try Self.apply(Array(events.prefix(5)), worker: 0, to: halfway)
        let copy = try halfway.pool.read { try LedgerSnapshot.read($0) }
        let worker = try TemporaryStore(MatcherService.migrations, producer: "matcher-1")
        try worker.pool.write { db in try copy.load(into: db) }
        #expect(try worker.pool.read { try LedgerSnapshot.read($0) } == copy, "the copy is the ledger")
        try Self.apply(events, worker: 0, to: worker)
        #expect(try worker.pool.read { try LedgerSnapshot.read($0) } == final)

        // It announced what came after the copy only: the peer's later announcements, none before.
        func announced(_ store: TemporaryStore) throws -> [String] {
            try store.pool.read { db in try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox ORDER BY sequence") }
        }
        let whole = try announced(peer), before = try announced(halfway), rest = try announced(worker)
        #expect(rest.count == whole.count - before.count && !rest.isEmpty)
    }

    @Test("loading replaces whatever ledger the worker had")
    func replaces() throws {
        let events = try Self.stream()
        let source = try TemporaryStore(MatcherService.migrations)
        try Self.apply(Array(events.prefix(4)), worker: 0, to: source)
        let copy = try source.pool.read { try LedgerSnapshot.read($0) }
        let target = try TemporaryStore(MatcherService.migrations)
        try Self.apply(events, worker: 0, to: target)
        try target.pool.write { db in try copy.load(into: db) }
        #expect(try target.pool.read { try LedgerSnapshot.read($0) } == copy)
    }

    @Test("materials events from anyone but ingest are not applied")
    func onlyIngest() throws {
        let store = try TemporaryStore(MatcherService.migrations)
        let stray = try Self.event(ListingPublished.topic, sequence: 9, from: "matcher-1", ListingPublished(listing: MaterialLedgerTests.listing("L9")))
        try Self.apply([stray], worker: 0, to: store)
        let ledger = try store.pool.read { try LedgerSnapshot.read($0) }
        #expect(ledger.listings.isEmpty && ledger.appliedThrough == 0)
    }
}
