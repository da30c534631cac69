import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
@testable import MatcherService
import Testing

@Suite("PartHandover: a takeover asks for a round only when the taken parts changed since their last one")
struct PartTakeoverRoundTests {
    /// Worker 2 joins at the tick at 20 and takes some of the twelve parts from workers 0 and 1; it
    /// applies that tick's membership. `late` events come after the parts' last round.
    private static func takeover(late: [ReceivedEvent] = []) throws -> (taken: Set<String>, dirty: Bool) {
        var events = Array(try PartHandoverTests.stream().prefix(PartHandoverTests.latitudes.count * 2 + 1))
        for event in late {
            events.append(try PartHandoverTests.event(
                event.type, sequence: Int64(events.count + 1), part: event.partitionKey, try event.decodeData(DemandPublished.self)))
        }
        let joining = PartHandoverTests.tick(20, members: [0, 1, 2])
        let sequence = Int64(events.count + 1)
        events.append(try PartHandoverTests.event(MatchingTick.topic, sequence: sequence, part: nil, joining))
        let store = try PartHandoverTests.run(Array(events.dropLast()), worker: 2)
        let handover = PartHandover(worker: 2, configured: [0, 1, 2], rebuilder: EventListRebuilder(events: events), logger: Logger(label: "test"))
        return try store.pool.write { db in
            try handover.apply(joining, sequence: sequence, in: db)
            return (try PartHolding(db).held(), try SQLiteLedgerStore(db).loadState().dirty)
        }
    }

    @Test("no change since the parts' last round: no extra round")
    func unchanged() throws {
        let outcome = try Self.takeover()
        #expect(!outcome.taken.isEmpty, "worker 2 took parts")
        #expect(outcome.dirty == false)
    }

    @Test("a demand in a taken part since its last round: the tick's round sees it")
    func changed() throws {
        let taken = try Self.takeover().taken
        let latitude = try #require(PartHandoverTests.latitudes.first { taken.contains(MarketParts.part(of: GeoPoint(latitude: $0, longitude: 5.37))) })
        let demand = MaterialLedgerTests.demand("late", max: 200, requester: "late", latitude: latitude - 0.03)
        let late = try PartHandoverTests.event(DemandPublished.topic, sequence: 1, part: demand.marketPart, DemandPublished(demand: demand))
        let outcome = try Self.takeover(late: [late])
        #expect(outcome.taken == taken)
        #expect(outcome.dirty == true)
    }
}
