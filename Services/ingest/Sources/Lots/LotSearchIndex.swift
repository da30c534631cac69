import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// What browsing lots near a point reads without decoding a lot: each lot's baskets left, kept in
/// `lots.baskets_left` in the same transaction as the lot or the reservation that changes it. The
/// search reads the small columns of the lots in the bounding box, orders them by (distance, id),
/// cuts the page at its cursor, and decodes only the lots of the page.
enum LotSearchIndex {
    static let migrations: [Migration] = [
        Migration("ingest.v11.lot-baskets-left") { db in
            try db.execute(sql: """
                ALTER TABLE lots ADD COLUMN baskets_left INTEGER NOT NULL DEFAULT 0;
                UPDATE lots SET baskets_left = MAX(0, json_extract(CAST(body AS TEXT), '$.draft.baskets')
                    - (SELECT COALESCE(SUM(baskets), 0) FROM lot_reservations r WHERE r.lot_id = lots.id AND r.holds = 1));
                """)
        },
    ]

    /// Recomputes the lot's baskets left from its baskets and the reservations that hold some.
    static func refresh(lotID: String, in db: Database) throws {
        try db.cachedStatement(sql: """
                UPDATE lots SET baskets_left = MAX(0, json_extract(CAST(body AS TEXT), '$.draft.baskets')
                    - (SELECT COALESCE(SUM(baskets), 0) FROM lot_reservations WHERE lot_id = ?1 AND holds = 1))
                WHERE id = ?1
                """).execute(
            arguments: [lotID])
    }

    /// The conditions on the lots' columns a search adds to the place, with their arguments.
    struct Conditions: Sendable {
        private(set) var sql: [String] = []
        private(set) var arguments = StatementArguments()

        /// Adds a condition whose `?` take `values`, in order.
        mutating func require(_ condition: String, _ values: any DatabaseValueConvertible & Sendable...) {
            sql.append(condition)
            arguments += StatementArguments(values)
        }
    }

    /// A lot the search found: the columns it needs, without the lot.
    struct Hit: Equatable {
        let distanceKm: Double
        let id: String
        let basketsLeft: Int
    }

    /// Where the first ring of a search reaches, in km; each next ring doubles it.
    static let firstRingKm = 0.25

    /// The `count` lots nearest `point` within `radiusKm` that meet `conditions` and come after
    /// `cursor`, in (distance to the metre, id) order. It reads the lots of a small box first and
    /// doubles it until it holds `count` of them or reaches the radius: every lot nearer than a ring
    /// is inside that ring's box, so what a ring holds is the nearest, and a page at 10,000 lots
    /// reads tens of rows, not all of them (`lots_geo` serves the box).
    static func nearest(to point: GeoPoint, within radiusKm: Double, after cursor: Cursor?, count: Int, where conditions: Conditions,
                        in db: Database) throws -> [Hit] {
        var ring = min(radiusKm, max(firstRingKm, (cursor?.distanceKm ?? 0) + firstRingKm))
        while true {
            let box = point.boundingBox(radiusKm: ring)
            let sql = "SELECT id, latitude, longitude, baskets_left FROM lots WHERE latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ? AND "
                + conditions.sql.joined(separator: " AND ")
            let arguments: StatementArguments = [box.latitude.lowerBound, box.latitude.upperBound, box.longitude.lowerBound, box.longitude.upperBound]
            var hits: [Hit] = []
            // The same conditions give the same text, so each connection prepares each form once.
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments + conditions.arguments)
            while let row = try rows.next() {
                let distance = point.distanceKm(to: GeoPoint(latitude: row[1], longitude: row[2]))
                guard distance <= ring else { continue }
                let hit = Hit(distanceKm: (distance * 1000).rounded() / 1000, id: row[0], basketsLeft: row[3])
                if let cursor, !cursor.precedes(hit) { continue }
                hits.append(hit)
            }
            if hits.count >= count || ring >= radiusKm {
                hits.sort { ($0.distanceKm, $0.id) < ($1.distanceKm, $1.id) }
                // A lot at the ring's edge may round to a metre a lot just outside it shares: keep
                // only what is surely ordered, unless the ring is the whole radius.
                if ring < radiusKm, let edge = hits.dropFirst(count - 1).first?.distanceKm, edge >= (ring * 1000).rounded() / 1000 {
                    ring = min(radiusKm, ring * 2)
                    continue
                }
                return Array(hits.prefix(count))
            }
            ring = min(radiusKm, ring * 2)
        }
    }

    /// Where a page ends: the last lot's distance and id. Opaque to clients, and stable while lots
    /// come and go: the next page starts after it in (distance, id) order.
    struct Cursor: Equatable {
        let distanceKm: Double
        let id: String

        var text: String { "\(distanceKm.bitPattern)|\(id)" }

        init(distanceKm: Double, id: String) {
            self.distanceKm = distanceKm
            self.id = id
        }

        /// Whether `hit` comes after this cursor.
        func precedes(_ hit: Hit) -> Bool { (distanceKm, id) < (hit.distanceKm, hit.id) }

        init(_ text: String) throws(RemoteError) {
            let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, let bits = UInt64(parts[0]), !parts[1].isEmpty else {
                throw RemoteError.invalid("cursor", "cursor is not one this API gave")
            }
            self.init(distanceKm: Double(bitPattern: bits), id: parts[1])
        }
    }
}
