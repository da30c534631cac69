import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// One entry per completed pickup, with the factor version its CO2e was computed with; KPIs are
/// sums over it. Entries are keyed by reservation, so an event applied again changes nothing.
public struct ImpactLedger: Sendable {
    public static let migrations: [Migration] = [
        Migration("reporting.v1.impact-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE impact_entries (
                    reservation_id TEXT PRIMARY KEY NOT NULL,
                    lot_id TEXT NOT NULL,
                    merchant_id TEXT NOT NULL,
                    taker_id TEXT NOT NULL,
                    is_free INTEGER NOT NULL,
                    baskets INTEGER NOT NULL,
                    meals REAL NOT NULL,
                    weight_kg REAL NOT NULL,
                    value_saved_cents INTEGER NOT NULL,
                    co2e_kg REAL NOT NULL,
                    factor_version TEXT NOT NULL,
                    completed_at TEXT NOT NULL
                );
                CREATE INDEX impact_entries_merchant ON impact_entries(merchant_id);
                """)
        },
    ]

    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) { self.database = database }

    static func record(_ pickup: PickupCompleted, in db: Database) throws {
        let factor = EmissionFactors.currentFoodMeal
        try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO impact_entries (reservation_id, lot_id, merchant_id, taker_id, is_free, baskets, meals, weight_kg,
                    value_saved_cents, co2e_kg, factor_version, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [
                pickup.reservationId, pickup.lotId, pickup.merchantId, pickup.takerId, pickup.isFree, pickup.baskets, pickup.meals,
                pickup.weightKg, pickup.valueSavedCents, pickup.meals * factor.kgCO2ePerUnit, factor.version, EventTime.format(pickup.completedAt),
            ])
    }

    public func summary(merchantId: String? = nil) async throws -> ImpactSummary {
        try await database.read { db in
            let filter = merchantId == nil ? "" : " WHERE merchant_id = ?"
            let arguments: StatementArguments = merchantId.map { [$0] } ?? []
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS pickups, COALESCE(SUM(baskets), 0) AS baskets, COALESCE(SUM(meals), 0) AS meals,
                    COALESCE(SUM(weight_kg), 0) AS weight, COALESCE(SUM(co2e_kg), 0) AS co2e, COALESCE(SUM(value_saved_cents), 0) AS value,
                    COUNT(DISTINCT CASE WHEN is_free THEN taker_id END) AS beneficiaries
                FROM impact_entries
                """ + filter, arguments: arguments)!
            let versions = try String.fetchAll(db, sql: "SELECT DISTINCT factor_version FROM impact_entries" + filter, arguments: arguments)
            let factors = versions.isEmpty ? [EmissionFactors.currentFoodMeal] : versions.compactMap { EmissionFactors.all[$0] }
            var summary = ImpactSummary(
                pickups: row["pickups"], baskets: row["baskets"], mealsSaved: ImpactRounding.meals(row["meals"]),
                weightSavedKg: ImpactRounding.kilograms(row["weight"]), co2eAvoidedKg: ImpactRounding.kilograms(row["co2e"]),
                valueSavedCents: row["value"], beneficiariesHelped: row["beneficiaries"], factors: factors)
            summary.materials = try MaterialsLedger.summary(giverId: merchantId, db)
            summary.totals = ImpactTotals(food: summary, materials: summary.materials)
            return summary
        }
    }
}

/// Applies `pickup.completed` to the ledger.
public struct ImpactLedgerProjection: EventHandler {
    public init() {}
    public var topicPrefixes: [String] { [PickupCompleted.topic] }
    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let pickup = try event.decodeData(PickupCompleted.self)
        // Materials handovers are counted from `operation.completed`, in tonnes reused.
        guard pickup.listingId == nil else { return }
        try ImpactLedger.record(pickup, in: db)
    }
}
