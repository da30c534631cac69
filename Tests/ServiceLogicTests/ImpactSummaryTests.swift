import EcoModel
import Foundation
import GRDB
@testable import ReportingService
import Testing

@Suite("KPIs: rounded for display, food and materials labelled and summed")
struct ImpactSummaryTests {
    static func pickup(_ id: String, weightKg: Double, meals: Double) -> PickupCompleted {
        PickupCompleted(
            reservationId: id, lotId: "lot", takerId: "taker", merchantId: "shop", validatedBy: "shop", baskets: 1,
            meals: meals, weightKg: weightKg, valueSavedCents: 100, isFree: false, completedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test("sums of floating-point shares print rounded: 12.4 kg, not 12.399999999999999")
    func rounding() async throws {
        let store = try TemporaryStore(ReportingService.migrations)
        // 4.1 + 4.1 + 4.2 is 12.399999999999999 in floating point; 0.1 + 0.2 meals is 0.30000000000000004.
        #expect(4.1 + 4.1 + 4.2 != 12.4 && 0.1 + 0.2 != 0.3, "the sums this test is about are inexact")
        try await store.pool.write { db in
            try ImpactLedger.record(Self.pickup("a", weightKg: 4.1, meals: 0.1), in: db)
            try ImpactLedger.record(Self.pickup("b", weightKg: 4.1, meals: 0.2), in: db)
            try ImpactLedger.record(Self.pickup("c", weightKg: 4.2, meals: 0), in: db)
        }
        let summary = try await ImpactLedger(database: store.pool).summary()
        #expect(summary.weightSavedKg == 12.4 && summary.mealsSaved == 0.3, "\(summary)")
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        #expect(json.contains("\"weightSavedKg\":12.4") && !json.contains("99999"), "\(json)")
        // The totals add food and materials, and say so by their place: no materials yet here.
        #expect(summary.totals?.weightDivertedKg == 12.4 && summary.totals?.co2eAvoidedKg == summary.co2eAvoidedKg)
    }

    @Test("totals add the materials exchange to the food figures")
    func totals() {
        let food = ImpactSummary(pickups: 1, baskets: 2, mealsSaved: 4, weightSavedKg: 3, co2eAvoidedKg: 3.6, valueSavedCents: 1600, beneficiariesHelped: 0, factors: [])
        let materials = MaterialsImpact(operations: 1, tonnesReused: 2, co2eAvoidedKg: 200, hazardousTonnes: 0, factorVersions: ["reuse-2026.1"])
        let totals = ImpactTotals(food: food, materials: materials)
        #expect(totals.co2eAvoidedKg == 203.6 && totals.weightDivertedKg == 2003)
    }
}
