import EcoConfig
import EcoModel
import Foundation
import GRDB
import Synchronization
import Testing

/// Food lots follow the matcher workers that join and leave a running deployment
/// (docs/decisions/0017): customers keep reserving while a third worker starts and while one is
/// SIGKILLed and restarted; lots are handed over with their reservations; at the end every 201 is
/// held once, at the lot's one holder, and no lot is oversold.
@Suite("Food lots move with the matcher workers", .serialized)
struct LotMembershipTests {
    static let lots = 16  // coprime with the load's stride of 3, so each customer goes round every lot
    // Enough that the load never sells out while the workers join (each joiner waits `MatcherMembership.defaultJoinAfter`).
    static let baskets = 500  // the most a lot may have

    @Test("reservations without pause while the workers grow from 2 to 3 and one is SIGKILLed and restarted: every 201 held once, no lot oversold")
    func lotsFollowTheMembers() async throws {
        let deployment = try await TestDeployment.make(matchers: 3)
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.3"]
        func worker(_ index: Int) -> ServiceInstance { ServiceInstance(.matcher, index: index) }
        try await deployment.startAnswering(ServiceInstance(.ingest), ServiceInstance(.pickupValidator), ServiceInstance(.notifications),
                                            ServiceInstance(.reporting), worker(0), worker(1), ServiceInstance(.gateway))
        let base = deployment.httpBase
        _ = try await deployment.awaitHTTP("/healthz")
        let merchant = try await HTTPSession.signUp(base, "members-bakery@example.org", roles: ["merchant"])
        var customers: [HTTPSession] = []
        for index in 0..<4 { customers.append(try await HTTPSession.signUp(base, "members-customer-\(index)@example.org")) }
        // Ingest ticks once a lot exists. A lot published before the first tick is held by its holder
        // among the three configured workers, and waits for worker 2 if that is its holder: the load
        // leaves it alone.
        _ = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Before the first tick", startIn: -600), token: merchant.accessToken)
        try await Self.awaitMembers([0, 1], in: deployment)
        var lots: [String] = []
        for index in 0..<Self.lots {
            let reply = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Lot \(index)", baskets: Self.baskets, startIn: -600),
                                            token: merchant.accessToken)
            lots.append(try #require(try reply.json()["id"] as? String, "\(reply.text)"))
        }

        let load = ReservationLoad(base: base, lots: lots, customers: customers)
        let stop = ChaosStop()
        let running = Task { await load.run(until: stop) }
        try await load.awaitMore(15)

        // Grow: a third worker starts and takes its lots from the two others.
        try deployment.start(worker(2))
        try await deployment.awaitAnswering(worker(2))
        try await Self.awaitMembers([0, 1, 2], in: deployment)
        try await load.awaitMore(15)

        // SIGKILL worker 1: its lots wait for it (only it has what it had not relayed), and it hands
        // them over when it is back.
        try deployment.kill(worker(1).name)
        try await Self.awaitMembers([0, 2], in: deployment)
        try deployment.start(worker(1))
        try await deployment.awaitAnswering(worker(1))
        try await Self.awaitMembers([0, 1, 2], in: deployment)
        try await load.awaitMore(15)
        stop.stop()
        await running.value

        let audit = ChaosAudit(deployment: deployment)
        _ = try await eventually("every consumer to apply every event", timeout: .seconds(60), interval: .milliseconds(250)) { () -> Bool? in
            try audit.lagging().isEmpty ? true : nil
        }
        let made = load.made
        var held: [String: [(worker: Int, lot: String, baskets: Int, status: String)]] = [:]
        var holders: [String: [Int]] = [:]
        var handovers = 0
        for index in 0..<3 {
            let database = try deployment.database(of: worker(index))
            let (rows, heldLots, handed) = try await database.read { db in
                (try Row.fetchAll(db, sql: "SELECT id, lot_id, baskets, status FROM reservations"),
                 try String.fetchAll(db, sql: "SELECT id FROM lots WHERE holding = 'held'"),
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_outbox WHERE topic = ?", arguments: [LotHandedOver.topic]) ?? 0)
            }
            for row in rows { held[row["id"], default: []].append((index, row["lot_id"], row["baskets"], row["status"])) }
            for lot in heldLots { holders[lot, default: []].append(index) }
            handovers += handed
        }
        for lot in lots {
            #expect(holders[lot] == [LotHolders.holder(of: lot, members: [0, 1, 2])!], "lot \(lot) is held by \(holders[lot] ?? [])")
        }
        for (id, lot) in made {
            #expect(held[id]?.count == 1 && held[id]?.first?.lot == lot, "reservation \(id) (201) is held \(held[id]?.count ?? 0) times")
            #expect(holders[lot] == held[id]?.map(\.worker), "reservation \(id) is not at its lot's holder")
        }
        let unsettled = load.unsettled
        for (id, rows) in held where made[id] == nil && !unsettled.contains(rows[0].lot) {
            Issue.record("reservation \(id) is held, but no client got it")
        }
        let taken = Dictionary(grouping: held.values.flatMap { $0 }.filter { $0.status != "cancelled" }, by: \.lot).mapValues { $0.map(\.baskets).reduce(0, +) }
        #expect(taken.values.allSatisfy { $0 <= Self.baskets }, "\(taken)")
        #expect(handovers > 0, "lots were handed over")
        #expect(deployment.fullLog(worker(2).name).contains("food lots moved at a tick"))
        // Each reservation is read through the gateway, which routes to the lot's holder now.
        for (id, taker) in load.takers.sorted(by: { $0.key < $1.key }).prefix(20) {
            let reply = try await HTTP.get("\(base)/v1/reservations/\(id)", token: customers[taker].accessToken)
            #expect(reply.status == 200, "\(reply.text)")
        }
        _ = deployment.stopAll()
    }

    /// Waits until every worker in `members` has applied a tick naming exactly them to its lots.
    static func awaitMembers(_ members: [Int], in deployment: TestDeployment) async throws {
        let expected = members.map(String.init).joined(separator: ",")
        for index in members {
            let database = try deployment.database(of: ServiceInstance(.matcher, index: index))
            _ = try await eventually("matcher-\(index) to hold lots by a tick naming \(expected)", timeout: .seconds(60), interval: .milliseconds(100)) {
                () -> Bool? in
                try deployment.checkRunning("matcher-\(index)")
                let applied = try await database.read { db in try String.fetchOne(db, sql: "SELECT members FROM lot_membership WHERE id = 1") }
                return applied == expected ? true : nil
            }
        }
    }
}

/// Customers reserving one basket of a random lot, over and over, each until the answer is definite
/// (a lost answer, a 5xx or a 429 is sent again with the same `Idempotency-Key`).
final class ReservationLoad: Sendable {
    let base: String
    let lots: [String]
    let customers: [HTTPSession]
    private let state = Mutex<(made: [String: String], takers: [String: Int], unsettled: Set<String>, lastRefusal: String)>(([:], [:], [], ""))

    init(base: String, lots: [String], customers: [HTTPSession]) {
        self.base = base
        self.lots = lots
        self.customers = customers
    }

    /// Reservation id → lot, for every 201.
    var made: [String: String] { state.withLock { $0.made } }
    /// Reservation id → the index of the customer who made it, for every 201.
    var takers: [String: Int] { state.withLock { $0.takers } }
    /// Lots with a reservation that never got a definite answer.
    var unsettled: Set<String> { state.withLock { $0.unsettled } }

    func run(until stop: ChaosStop) async {
        await withTaskGroup(of: Void.self) { group in
            for lane in customers.indices { group.addTask { await self.lane(lane, until: stop) } }
        }
    }

    /// Waits for `count` more 201s than there are now.
    func awaitMore(_ count: Int) async throws {
        let target = made.count + count
        _ = try await eventually("\(count) more reservations", timeout: .seconds(60), interval: .milliseconds(100)) { () -> String? in
            let (made, refusal) = self.state.withLock { ($0.made.count, $0.lastRefusal) }
            if made >= target { return "" }
            throw LoadProgress(description: "\(made) of \(target) made; last refusal: \(refusal)")
        }
    }

    private func lane(_ lane: Int, until stop: ChaosStop) async {
        let customer = customers[lane]
        var round = 0
        while !stop.stopped {
            round += 1
            let lot = lots[(lane * 7 + round * 3) % lots.count]
            let key = "\(customer.accountID)-\(round)"
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let reply = try? await HTTP.send(
                    "POST", "\(base)/v1/lots/\(lot)/reservations", json: ["baskets": 1], token: customer.accessToken, headers: ["Idempotency-Key": key])
                if let reply, reply.status == 201, let id = ((try? reply.json())?["reservation"] as? [String: Any])?["id"] as? String {
                    state.withLock { $0.made[id] = lot; $0.takers[id] = lane }
                    break
                }
                state.withLock { $0.lastRefusal = reply.map { "\($0.status) \($0.text)" } ?? "no answer" }
                if let reply, reply.status < 500, reply.status != 429 { break }
                try? await Task.sleep(for: .milliseconds(100))
            }
            if ContinuousClock.now >= deadline { state.withLock { _ = $0.unsettled.insert(lot) } }
        }
    }
}

/// How far a load has got, as the last thing seen while awaiting it.
struct LoadProgress: Error, CustomStringConvertible {
    let description: String
}
