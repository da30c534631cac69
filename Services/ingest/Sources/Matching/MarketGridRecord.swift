import EcoConfig
import EcoModel
import EcoStore
import GRDB

/// The market grid this installation cuts with, recorded by ingest at its first start
/// (docs/decisions/0016). Every `partitionkey` in ingest's stream and every worker's parts were cut
/// with it, so ingest refuses to start with another: re-cutting a market is not built.
struct MarketGridRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "market_grid"
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let cellDegrees = Column(CodingKeys.cellDegrees)
    }

    var id = 1
    var cellDegrees: Double

    enum CodingKeys: String, CodingKey {
        case id
        case cellDegrees = "cell_degrees"
    }

    static let migrations: [Migration] = [
        Migration("ingest.v12.market-grid") { db in
            try db.create(table: databaseTableName) { table in
                table.column(CodingKeys.id.rawValue, .integer).primaryKey().check { $0 == 1 }
                table.column(CodingKeys.cellDegrees.rawValue, .double).notNull()
            }
        },
    ]

    /// Records `configured` at the first start, and refuses another grid afterwards, naming the
    /// flag. A stream cut before the grid was recorded was cut with the standard grid.
    static func confirm(_ configured: MarketGrid, in database: any DatabaseWriter) async throws -> MarketGrid {
        try await database.write { db in
            let recorded: MarketGrid
            if let record = try MarketGridRecord.fetchOne(db, key: 1) {
                recorded = MarketGrid(cellDegrees: record.cellDegrees) ?? .standard
            } else {
                let cutBefore = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM bus_outbox WHERE partition_key IS NOT NULL)") ?? false
                recorded = cutBefore ? .standard : configured
                try MarketGridRecord(cellDegrees: recorded.cellDegrees).insert(db)
            }
            guard recorded == configured else {
                throw ConfigError(
                    setting: "market-cell-degrees", value: "\(configured.cellDegrees)",
                    reason: "this installation's materials market was cut with cells of \(recorded.cellDegrees)°, and changing it is not supported; "
                        + "start ingest with --market-cell-degrees \(recorded.cellDegrees)")
            }
            return recorded
        }
    }
}

/// The market grid of this installation, as ingest's `main` and the benchmark confirm it.
public enum InstalledMarketGrid {
    /// Records `configured` at the first start; afterwards, refuses any other grid (`ConfigError` naming the flag).
    @discardableResult
    public static func confirm(_ configured: MarketGrid, in database: any DatabaseWriter) async throws -> MarketGrid {
        try await MarketGridRecord.confirm(configured, in: database)
    }
}
