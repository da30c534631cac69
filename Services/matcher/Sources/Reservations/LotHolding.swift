import EcoBus
import EcoConfig
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Which food lots this worker holds (docs/decisions/0017). The worker keeps every lot's row, from
/// ingest's `lot.*`, and whether it holds the lot (it allocates the baskets), awaits it (the tick
/// gave it here and the giver's `lot.handed-over` has not arrived), or knows another holder. It keeps
/// reservations and missions only for the lots it holds. Used inside the caller's transaction.
public struct LotHolding {
    public static let migrations: [Migration] = [
        Migration("matcher.v7.lot-holders") { db in
            // Rows from before were kept only by their owner: each one is held.
            try db.execute(sql: """
                ALTER TABLE lots ADD COLUMN holding TEXT NOT NULL DEFAULT 'held';
                ALTER TABLE lots ADD COLUMN holder INTEGER;
                ALTER TABLE lots ADD COLUMN holding_since INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE lot_membership (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    members TEXT NOT NULL,
                    tick INTEGER NOT NULL
                );
                CREATE TABLE lot_pickups_pending (
                    reservation_id TEXT PRIMARY KEY NOT NULL,
                    lot_id TEXT NOT NULL,
                    kept_at TEXT NOT NULL
                );
                CREATE INDEX lot_pickups_pending_lot ON lot_pickups_pending(lot_id);
                """)
        },
    ]

    /// Where a lot's baskets are allocated, as this worker knows it.
    enum State: Equatable {
        /// Here.
        case held
        /// Here once the giver's handover arrives; until then the lot takes no reservations.
        case awaiting
        /// At another worker.
        case elsewhere(Int)
    }

    let db: Database
    let worker: Int
    /// The members taken until a tick names them.
    let configured: [Int]

    /// The members of the latest tick this worker applied to its lots, or the configured workers.
    func members() throws -> [Int] {
        try recorded()?.members ?? configured
    }

    /// The members and ingest's sequence of the latest tick applied to the lots; nil before the first.
    func recorded() throws -> (members: [Int], tick: Int64)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT members, tick FROM lot_membership WHERE id = 1")).map { row in
            ((row["members"] as String).split(separator: ",").compactMap { Int($0) }, row["tick"])
        }
    }

    func record(members: [Int], tick: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO lot_membership (id, members, tick) VALUES (1, ?, ?)
            ON CONFLICT(id) DO UPDATE SET members = excluded.members, tick = excluded.tick
            """).execute(arguments: [members.map(String.init).joined(separator: ","), tick])
    }

    /// The holder of `lotId` under the current members.
    func holder(of lotId: String) throws -> Int {
        LotHolders.holder(of: lotId, members: try recorded()?.members, configured: configured.count)
    }

    /// The lot's state; nil for a lot this worker has no row for.
    func state(of lotId: String) throws -> State? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT holding, holder FROM lots WHERE id = ?"), arguments: [lotId]) else {
            return nil
        }
        return Self.state(holding: row["holding"], holder: row["holder"])
    }

    /// The state a row's `holding` and `holder` columns say (an `elsewhere` row always names its holder).
    static func state(holding: String, holder: Int?) -> State {
        switch holding {
        case "awaiting": .awaiting
        case "elsewhere": .elsewhere(holder ?? 0)
        default: .held
        }
    }

    /// Records the lot's state as of ingest's tick `since` (a handover from a giver ahead of this
    /// worker in ingest's stream is as of a tick this worker has not applied yet).
    func set(_ lotId: String, _ state: State, since: Int64) throws {
        let (holding, holder): (String, Int) = switch state {
        case .held: ("held", worker)
        case .awaiting: ("awaiting", worker)
        case .elsewhere(let other): ("elsewhere", other)
        }
        try db.cachedStatement(sql: "UPDATE lots SET holding = ?, holder = ?, holding_since = ? WHERE id = ?")
            .execute(arguments: [holding, holder, since, lotId])
    }

    // MARK: - The worker a handover is awaited from (`matcher.v8.lot-release`)

    /// Awaits `lotId` here from `giver` as of tick `since`. A lot this worker still owes on (it was
    /// awaiting it when it moved away) keeps the worker it awaits it from: that one has the data.
    func awaitHandover(of lotId: String, from giver: Int, since: Int64) throws {
        try set(lotId, .awaiting, since: since)
        try db.cachedStatement(sql: "UPDATE lots SET awaited_from = COALESCE(awaited_from, ?) WHERE id = ?").execute(arguments: [giver, lotId])
    }

    /// The worker whose handover of `lotId` this worker waits for or owes on, and since which tick.
    func awaited(_ lotId: String) throws -> (from: Int, since: Int64)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT awaited_from, holding_since FROM lots WHERE id = ?"), arguments: [lotId]),
              let from = row["awaited_from"] as Int? else { return nil }
        return (from, row["holding_since"])
    }

    /// Records that `lotId`'s handover is awaited from `worker`, or from none (nil).
    func setAwaited(_ lotId: String, from worker: Int?) throws {
        try db.cachedStatement(sql: "UPDATE lots SET awaited_from = ? WHERE id = ?").execute(arguments: [worker, lotId])
    }

    /// The lots whose handover this worker awaits from `worker` or owes on, in id order.
    func lots(awaitedFrom worker: Int) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM lots WHERE awaited_from = ? ORDER BY id", arguments: [worker])
    }

    /// The state of a lot first seen now: held here if this worker is its holder.
    func newcomer(_ lotId: String) throws -> State {
        let holder = try holder(of: lotId)
        return holder == worker ? .held : .elsewhere(holder)
    }

    /// The lots that move with the members at a tick of time `at`: those still open for pickup
    /// then, or ended less than `LotHandover.grace` before, whose state is not from a later tick
    /// than `tick`; in id order. Every worker picks the same ones, from the same stream.
    func movable(at: Date, tick: Int64) throws -> [(id: String, state: State)] {
        let ended = EventTime.format(at.addingTimeInterval(-LotHandover.grace))
        return try Row.fetchAll(
            db, sql: "SELECT id, holding, holder FROM lots WHERE pickup_end > ? AND holding_since <= ? ORDER BY id", arguments: [ended, tick]
        ).map { row in (row["id"], Self.state(holding: row["holding"], holder: row["holder"])) }
    }

    /// The refusal of a reservation command on a lot this worker does not hold now.
    static func refusal(_ lotId: String, _ state: State) -> RemoteError? {
        switch state {
        case .held: nil
        case .awaiting: .moving("lot \(lotId) is on its way to this worker")
        case .elsewhere(let holder):
            .heldElsewhere("lot \(lotId) is held by another worker", by: ServiceInstance(.matcher, index: holder).name)
        }
    }

    // MARK: - Pickups of reservations on their way here

    /// A pickup of a reservation this worker does not have: it may be on its way in a handover.
    func pickupPending(reservationId: String, lotId: String) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO lot_pickups_pending (reservation_id, lot_id, kept_at) VALUES (?, ?, ?)")
            .execute(arguments: [reservationId, lotId, EventTime.format(Date())])
    }

    /// The pending pickups of `lotId`'s reservations, which are then forgotten.
    func takePendingPickups(of lotId: String) throws -> Set<String> {
        let ids = try String.fetchAll(db.cachedStatement(sql: "SELECT reservation_id FROM lot_pickups_pending WHERE lot_id = ?"), arguments: [lotId])
        try db.cachedStatement(sql: "DELETE FROM lot_pickups_pending WHERE lot_id = ?").execute(arguments: [lotId])
        return Set(ids)
    }
}
