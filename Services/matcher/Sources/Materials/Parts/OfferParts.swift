import EcoModel
import EcoStore
import GRDB

/// Each listing and demand row names its market part (`part`, matcher.v6), so that a worker giving
/// parts away deletes their rows through an index instead of reading every row's point
/// (docs/decisions/0016).
public enum OfferParts {
    public static let migrations: [Migration] = [
        Migration("matcher.v6.offer-parts") { db in
            try db.execute(sql: """
                ALTER TABLE material_listings ADD COLUMN part TEXT;
                ALTER TABLE material_demands ADD COLUMN part TEXT;
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
