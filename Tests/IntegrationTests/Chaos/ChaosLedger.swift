import Foundation

/// What the chaos load did, as its clients saw it: the commands sent, and those that got a 2xx.
/// The audit checks the stores against this, so it holds only what an HTTP answer proved.
actor ChaosLedger {
    /// A reservation that got a 201, with the code its taker shows at the counter.
    struct Reservation: Sendable {
        let id: String
        let lotId: String
        let baskets: Int
        let token: String
        let pin: String
    }

    /// The kinds of command the load sends.
    enum Command: String, CaseIterable, Sendable {
        case lot, reservation, pickup, report, listing, demand
    }

    private(set) var sent: [Command: Int] = [:]
    private(set) var succeeded: [Command: Int] = [:]
    /// Sent, but the answer was lost or a 5xx: the effect may or may not have happened.
    private(set) var unanswered: [Command: Int] = [:]
    private(set) var lots: [String: Int] = [:]
    private(set) var reservations: [String: Reservation] = [:]
    /// Lots with a reservation that got no definite answer however often it was retried: a
    /// reservation may exist there that no client holds.
    private(set) var unsettledLots: Set<String> = []
    private(set) var collected: Set<String> = []
    private(set) var reports: Set<String> = []
    private(set) var listings: Set<String> = []
    private(set) var demands: Set<String> = []

    func sending(_ command: Command) { sent[command, default: 0] += 1 }
    func unanswered(_ command: Command) { unanswered[command, default: 0] += 1 }

    func lot(_ id: String, baskets: Int) { succeeded[.lot, default: 0] += 1; lots[id] = baskets }
    func reserved(_ reservation: Reservation) { succeeded[.reservation, default: 0] += 1; reservations[reservation.id] = reservation }
    func unsettled(lot id: String) { unsettledLots.insert(id) }
    func collected(_ id: String) { succeeded[.pickup, default: 0] += 1; collected.insert(id) }
    func report(_ id: String) { succeeded[.report, default: 0] += 1; reports.insert(id) }
    func listing(_ id: String) { succeeded[.listing, default: 0] += 1; listings.insert(id) }
    func demand(_ id: String) { succeeded[.demand, default: 0] += 1; demands.insert(id) }

    /// Meals the collected reservations saved: 2 a basket (`LotsTests.lot`).
    var collectedMeals: Double { Double(collected.compactMap { reservations[$0]?.baskets }.reduce(0, +)) * 2 }
    var totalSucceeded: Int { succeeded.values.reduce(0, +) }
}
