import EcoModel

/// The emission factors reporting applies, by version. A factor never changes once used: a new
/// figure gets a new version, and each ledger entry keeps the version it was computed with.
public enum EmissionFactors {
    public static let foodMeal2026 = EmissionFactor(
        version: "food-meal-2026.1", kgCO2ePerUnit: 0.9, unit: "meal",
        source: "EcoResupply default: 0.9 kg CO2e avoided per meal of food not wasted")

    /// The factor for meals saved from food lots, used for new entries.
    public static let currentFoodMeal = foodMeal2026

    public static let all: [String: EmissionFactor] = [foodMeal2026.version: foodMeal2026]
}
