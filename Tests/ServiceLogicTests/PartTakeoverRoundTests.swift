import EcoModel
import Foundation
import GRDB
import Logging
@testable import MatcherService
import Testing

@Suite("PartHandover: a takeover asks for a round only when the taken parts changed since their last one")
struct PartTakeoverRoundTests {
    /// Worker 2 joins at the tick at 20, taking some of the twelve parts from workers 0 and 1; with
    /// `change`, a demand arrives in one of the parts it takes after their last round.
    private static func dirtyAfterTakeover(change: Bool) throws -> Bool {
        var events = Array(try PartHandoverTests.stream().prefix(PartHandoverTests.latitudes.count * 2 + 1))
        let taken = try #require(PartHandoverTests.latitudes.first {
            MarketParts.holder(of: MarketParts.part(of: GeoPoint(latitude: $0, longitude: 5.37)), members: [0, 1, 2]) == 2
        })
        if change {
            let demand = MaterialLedgerTests.demand("late", max: 200, requester: "late", latitude: taken - 0.03)
            events.append(try PartHandoverTests.event(DemandPublished.topic, sequence: Int64(events.count + 1), part: demand.marketPart, DemandPublished(demand: demand)))
        }
        let joining = PartHandoverTests.tick(20, members: [0, 1, 2])
        let sequence = Int64(events.count + 1)
        events.append(try PartHandoverTests.event(MatchingTick.topic, sequence: sequence, part: nil, joining))
        let store = try PartHandoverTests.run(Array(events.dropLast()), worker: 2)
        let handover = PartHandover(worker: 2, rebuilder: EventListRebuilder(events: events), logger: Logger(label: "test"))
        return try store.pool.write { db in
            try handover.apply(joining, sequence: sequence, in: db)
            #expect(try !PartHolding(db).held().isEmpty, "worker 2 took parts")
            return try SQLiteLedgerStore(db).loadState().dirty
        }
    }

    @Test("no change since the parts' last round: no extra round")
    func unchanged() throws { #expect(try Self.dirtyAfterTakeover(change: false) == false) }

    @Test("a demand since the parts' last round: the tick's round sees it")
    func changed() throws { #expect(try Self.dirtyAfterTakeover(change: true) == true) }
}
