import EcoModel
import EcoStore
import GRDB

/// Which market parts this worker's ledger holds (docs/decisions/0016): every part it has seen in
/// ingest's stream, whether it holds it, and the members named by the latest tick. Used inside the
/// consumer's transaction, like the ledger.
///
/// Until a tick names members, the configured workers (`--matchers`) are taken as the members.
public struct PartHolding {
    public static let migrations: [Migration] = [
        Migration("matcher.v5.market-parts") { db in
            try db.execute(sql: """
                CREATE TABLE material_parts (
                    part TEXT PRIMARY KEY NOT NULL,
                    held INTEGER NOT NULL
                );
                CREATE TABLE material_membership (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    members TEXT NOT NULL
                );
                CREATE INDEX material_proposals_demand ON material_proposals(demand_id);
                """)
            // A ledger from before the parts holds the whole market: every part in it is held.
            let points = try Row.fetchAll(db, sql: "SELECT latitude, longitude FROM material_listings UNION SELECT latitude, longitude FROM material_demands")
            for row in points {
                let part = MarketParts.part(of: GeoPoint(latitude: row["latitude"], longitude: row["longitude"]))
                try db.execute(sql: "INSERT OR IGNORE INTO material_parts (part, held) VALUES (?, 1)", arguments: [part])
            }
        },
    ]

    let db: Database

    public init(_ db: Database) { self.db = db }

    /// The members of the latest tick that named them; nil before the first.
    public func members() throws -> [Int]? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT members FROM material_membership WHERE id = 1")).map { text in
            text.split(separator: ",").compactMap { Int($0) }
        }
    }

    func setMembers(_ members: [Int]) throws {
        try db.cachedStatement(sql: """
            INSERT INTO material_membership (id, members) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET members = excluded.members
            """).execute(arguments: [members.map(String.init).joined(separator: ",")])
    }

    /// Whether the ledger holds `part`. A part seen for the first time is recorded with its holder:
    /// under the latest members, a member holding the fewest parts (`PartAssignment.newcomer`);
    /// before a tick names members, its rendezvous holder among the configured workers, until the
    /// first such tick assigns every part afresh (`PartHandover`).
    func admit(_ part: String, worker: Int, configured: [Int]) throws -> Bool {
        if let held = try Bool.fetchOne(db.cachedStatement(sql: "SELECT held FROM material_parts WHERE part = ?"), arguments: [part]) {
            return held
        }
        let holder = if let members = try members() {
            PartAssignment.newcomer(part, assignment: try assignment(members: members), members: members)
        } else {
            MarketParts.holder(of: part, members: configured)
        }
        try setHolder(part, holder, worker: worker)
        return holder == worker
    }

    /// The holder of every part seen. A part recorded before holders were (matcher.v6) is taken as
    /// its rendezvous holder under `members`, which is what it was.
    func assignment(members: [Int]) throws -> [String: Int] {
        var assignment: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT part, holder FROM material_parts") {
            let part: String = row["part"]
            if let holder = (row["holder"] as Int?) ?? MarketParts.holder(of: part, members: members) { assignment[part] = holder }
        }
        return assignment
    }

    /// Every part seen, held or not.
    public func known() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT part FROM material_parts ORDER BY part")
    }

    /// The parts the ledger holds.
    public func held() throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT part FROM material_parts WHERE held = 1"))
    }

    /// Records `part`'s holder; the ledger holds it if that is `worker`.
    func setHolder(_ part: String, _ holder: Int?, worker: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO material_parts (part, held, holder) VALUES (?, ?, ?)
            ON CONFLICT(part) DO UPDATE SET held = excluded.held, holder = excluded.holder
            """).execute(arguments: [part, holder == worker, holder])
    }
}
