import Foundation
import Synchronization

/// Tells the load's loops to finish: set once the kills are over.
final class ChaosStop: Sendable {
    private let flag = Mutex(false)
    func stop() { flag.withLock { $0 = true } }
    var stopped: Bool { flag.withLock { $0 } }
}

/// The steady load of a chaos run: merchants' lots reserved and collected at the counter, citizens'
/// reports, companies' listings and demands. Each loop goes on, whatever fails, until `stop` passes;
/// only a 2xx is recorded as done (`ChaosLedger`).
struct ChaosLoad: Sendable {
    let base: String
    let ledger: ChaosLedger
    let merchant: HTTPSession
    let customers: [HTTPSession]
    let citizen: HTTPSession
    let company: HTTPSession
    let taker: HTTPSession

    static let basketsPerLot = 3

    /// Runs every loop until `stop` is set; the food lanes then finish the pickups of what they reserved.
    func run(until stop: ChaosStop) async {
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<2 { group.addTask { await food(lane: lane, until: stop) } }
            group.addTask { await reports(until: stop) }
            group.addTask { await materials(until: stop) }
        }
    }

    /// The outcome of one request: its reply, or nil when none came (a process was down).
    private func send(_ command: ChaosLedger.Command, _ method: String, _ path: String, json: Any, token: String,
                      headers: [String: String] = [:]) async -> HTTP.Reply? {
        await ledger.sending(command)
        let reply = try? await HTTP.send(method, "\(base)\(path)", json: json, token: token, headers: headers)
        if reply == nil || (reply?.status ?? 0) >= 500 { await ledger.unanswered(command) }
        return reply
    }

    /// A lot of 3 baskets, one reservation of 1 basket by each of three customers, then the counter.
    private func food(lane: Int, until stop: ChaosStop) async {
        var round = 0
        while !stop.stopped {
            round += 1
            let lot = LotsTests.lot(title: "Chaos \(lane)-\(round)", baskets: Self.basketsPerLot, startIn: -600, length: 7200)
            guard let reply = await send(.lot, "POST", "/v1/lots", json: lot, token: merchant.accessToken), reply.status == 201,
                  let lotID = try? reply.json()["id"] as? String else { await pause(); continue }
            await ledger.lot(lotID, baskets: Self.basketsPerLot)
            var made: [ChaosLedger.Reservation] = []
            for index in 0..<Self.basketsPerLot {
                let customer = customers[(lane * Self.basketsPerLot + index + round) % customers.count]
                if let reservation = await reserve(lotID, customer: customer, key: "chaos-\(lotID)-\(index)") { made.append(reservation) }
            }
            for reservation in made { await collect(reservation) }
        }
    }

    /// A customer reserves one basket until the answer is definite, as a phone app would: a lost
    /// answer or a 5xx is sent again with the same `Idempotency-Key`, so a retry never reserves twice.
    private func reserve(_ lotID: String, customer: HTTPSession, key: String) async -> ChaosLedger.Reservation? {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let reply = await send(
                .reservation, "POST", "/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken, headers: ["Idempotency-Key": key])
            // Only an answer is definite: no reply (the gateway died mid-request), a 5xx and a 429
            // say nothing of whether the reservation was made, so they are sent again.
            if let reply, reply.status < 500, reply.status != 429, reply.status != 201 { return nil }
            guard let reply, reply.status == 201, let json = try? reply.json(), let id = (json["reservation"] as? [String: Any])?["id"] as? String,
                  let code = json["pickupCode"] as? [String: Any], let token = code["token"] as? String, let pin = code["pin"] as? String
            else {
                await pause()
                continue
            }
            let reservation = ChaosLedger.Reservation(id: id, lotId: lotID, baskets: 1, token: token, pin: pin)
            await ledger.reserved(reservation)
            return reservation
        }
        await ledger.unsettled(lot: lotID)
        return nil
    }

    /// The counter validates a code until it has a definite answer, as a merchant would: a lost answer
    /// is asked again, and "already used" then means the first try went through.
    private func collect(_ reservation: ChaosLedger.Reservation) async {
        let deadline = ContinuousClock.now + .seconds(90)
        var tries = 0
        while ContinuousClock.now < deadline {
            tries += 1
            let reply = await send(.pickup, "POST", "/v1/pickups/validate", json: ["token": reservation.token, "pin": reservation.pin], token: merchant.accessToken)
            switch reply.map({ ($0.status, $0.errorCode) }) {
            case (200, _)?: return await ledger.collected(reservation.id)
            case (_, "code_already_used")? where tries > 1: return await ledger.collected(reservation.id)
            case let (status, _)? where status < 500 && status != 429 && status != 404: return
            default: await pause()
            }
        }
    }

    private func reports(until stop: ChaosStop) async {
        var count = 0
        while !stop.stopped {
            count += 1
            // 200 m apart on a grid over the city centre, so no report is a duplicate of another.
            let body = ReportsTests.report([
                "latitude": 43.27 + Double(count / 20) * 0.002, "longitude": 5.36 + Double(count % 20) * 0.002,
                "description": "Dépôt sauvage n° \(count)", "contact": NSNull(),
            ])
            if let reply = await send(.report, "POST", "/v1/reports", json: body, token: citizen.accessToken), reply.status == 201,
               let id = (try? reply.json()["report"] as? [String: Any])?["id"] as? String {
                await ledger.report(id)
            } else {
                await pause()
            }
        }
    }

    private func materials(until stop: ChaosStop) async {
        var count = 0
        while !stop.stopped {
            count += 1
            if count % 2 == 1 {
                let body = ListingsTests.listing(["title": "Poutres \(count)", "quantity": 1])
                if let reply = await send(.listing, "POST", "/v1/listings", json: body, token: company.accessToken), reply.status == 201,
                   let id = try? reply.json()["id"] as? String {
                    await ledger.listing(id)
                    continue
                }
            } else {
                let body = MaterialsExchangeTests.demand(["17 02 01"], maximumKg: 500)
                if let reply = await send(.demand, "POST", "/v1/demands", json: body, token: taker.accessToken), reply.status == 201,
                   let id = try? reply.json()["id"] as? String {
                    await ledger.demand(id)
                    continue
                }
            }
            await pause()
        }
    }

    /// A moment before trying again after a failure, so that a dead process is not hammered.
    private func pause() async { try? await Task.sleep(for: .milliseconds(200)) }
}
