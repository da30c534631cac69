import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// One entry per completed materials operation (`operation.completed`), keyed by operation so an
/// event applied again changes nothing; the materials KPIs are sums over it.
public struct MaterialsLedger: EventHandler {
    public static let migrations: [Migration] = [
        Migration("reporting.v2.materials-operations") { db in
            try db.execute(sql: """
                CREATE TABLE material_operations (
                    operation_id TEXT PRIMARY KEY NOT NULL,
                    listing_id TEXT NOT NULL,
                    giver_id TEXT NOT NULL,
                    taker_id TEXT NOT NULL,
                    ler_code TEXT NOT NULL,
                    hazardous INTEGER NOT NULL,
                    treatment_operation TEXT,
                    quantity_kg REAL NOT NULL,
                    co2e_kg REAL NOT NULL,
                    factor_version TEXT NOT NULL,
                    completed_at TEXT NOT NULL
                );
                CREATE INDEX material_operations_giver ON material_operations(giver_id);
                """)
        },
    ]

    public init() {}

    public var topicPrefixes: [String] { [OperationCompleted.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let operation = try event.decodeData(OperationCompleted.self)
        try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO material_operations (operation_id, listing_id, giver_id, taker_id, ler_code, hazardous, treatment_operation,
                    quantity_kg, co2e_kg, factor_version, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [
                operation.operationId, operation.listingId, operation.giverId, operation.takerId, operation.lerCode, operation.hazardous,
                operation.treatmentOperation, operation.quantityKg, operation.co2eAvoidedKg, operation.factorVersion,
                EventTime.format(operation.completedAt),
            ])
    }

    /// The totals, for everyone or for one giver.
    static func summary(giverId: String?, _ db: Database) throws -> MaterialsImpact {
        let filter = giverId == nil ? "" : " WHERE giver_id = ?"
        let arguments: StatementArguments = giverId.map { [$0] } ?? []
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS operations, COALESCE(SUM(quantity_kg), 0) AS kg, COALESCE(SUM(co2e_kg), 0) AS co2e,
                COALESCE(SUM(CASE WHEN hazardous THEN quantity_kg ELSE 0 END), 0) AS hazardous
            FROM material_operations
            """ + filter, arguments: arguments)!
        let versions = try String.fetchAll(db, sql: "SELECT DISTINCT factor_version FROM material_operations" + filter + " ORDER BY 1", arguments: arguments)
        func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        return MaterialsImpact(
            operations: row["operations"], tonnesReused: rounded((row["kg"] as Double) / 1000, 1_000_000),
            co2eAvoidedKg: rounded(row["co2e"], 1000), hazardousTonnes: rounded((row["hazardous"] as Double) / 1000, 1_000_000),
            factorVersions: versions)
    }
}
