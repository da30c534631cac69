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

    /// Whether the ledger holds `part`; a part seen for the first time is recorded, held if this
    /// worker is its holder under the latest members (`configured` until a tick names them).
    func admit(_ part: String, worker: Int, configured: [Int]) throws -> Bool {
        if let held = try Bool.fetchOne(db.cachedStatement(sql: "SELECT held FROM material_parts WHERE part = ?"), arguments: [part]) {
            return held
        }
        let held = MarketParts.holder(of: part, members: try members() ?? configured) == worker
        try db.cachedStatement(sql: "INSERT INTO material_parts (part, held) VALUES (?, ?)").execute(arguments: [part, held])
        return held
    }

    /// Every part seen, held or not.
    public func known() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT part FROM material_parts ORDER BY part")
    }

    /// The parts the ledger holds.
    public func held() throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT part FROM material_parts WHERE held = 1"))
    }

    func setHeld(_ part: String, _ held: Bool) throws {
        try db.execute(
            sql: "INSERT INTO material_parts (part, held) VALUES (?, ?) ON CONFLICT(part) DO UPDATE SET held = excluded.held",
            arguments: [part, held])
    }
}
