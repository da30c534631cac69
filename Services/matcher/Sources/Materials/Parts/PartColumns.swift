import EcoModel
import EcoStore
import GRDB

/// Columns that follow the market parts (matcher.v6, docs/decisions/0016): each listing and demand
/// row names its part, so that a worker giving parts away deletes their rows through an index
/// instead of reading every row's point; and each part the worker has seen names its holder, so
/// that every worker balances the same assignment (`PartAssignment`). A part seen before this
/// migration has no holder recorded; it is taken as its rendezvous holder, which is what it was.
public enum PartColumns {
    public static let migrations: [Migration] = [
        Migration("matcher.v6.part-columns") { db in
            try db.execute(sql: """
                ALTER TABLE material_listings ADD COLUMN part TEXT;
                ALTER TABLE material_demands ADD COLUMN part TEXT;
                ALTER TABLE material_parts ADD COLUMN holder INTEGER;
                """)
            for table in ["material_listings", "material_demands"] {
                for row in try Row.fetchAll(db, sql: "SELECT id, latitude, longitude FROM \(table)") {
                    let part = MarketParts.part(of: GeoPoint(latitude: row["latitude"], longitude: row["longitude"]))
                    try db.execute(sql: "UPDATE \(table) SET part = ? WHERE id = ?", arguments: [part, row["id"] as String])
                }
            }
            try db.execute(sql: """
                CREATE INDEX material_listings_part ON material_listings(part);
                CREATE INDEX material_demands_part ON material_demands(part);
                """)
        },
    ]
}
