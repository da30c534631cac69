import Foundation

/// A versioned emission factor: how much CO2e one unit avoids, and where the figure comes from.
public struct EmissionFactor: Codable, Sendable, Equatable {
    public var version: String
    public var kgCO2ePerUnit: Double
    public var unit: String
    public var source: String

    public init(version: String, kgCO2ePerUnit: Double, unit: String, source: String) {
        self.version = version
        self.kgCO2ePerUnit = kgCO2ePerUnit
        self.unit = unit
        self.source = source
    }
}

/// The platform's impact figures, as reporting computes them from completed operations.
public struct ImpactSummary: Codable, Sendable, Equatable {
    public var pickups: Int
    public var baskets: Int
    public var mealsSaved: Double
    public var weightSavedKg: Double
    public var co2eAvoidedKg: Double
    public var valueSavedCents: Int
    /// Distinct beneficiaries who collected at least one free lot.
    public var beneficiariesHelped: Int
    /// The factors the CO2e figure was computed with.
    public var factors: [EmissionFactor]
    /// The materials exchange: completed operations, tonnes reused and CO2e avoided (not included in
    /// the food figures above).
    public var materials: MaterialsImpact?
    /// Food lots and materials together: the figures to quote as the whole.
    public var totals: ImpactTotals?

    public init(pickups: Int, baskets: Int, mealsSaved: Double, weightSavedKg: Double, co2eAvoidedKg: Double,
                valueSavedCents: Int, beneficiariesHelped: Int, factors: [EmissionFactor]) {
        self.pickups = pickups; self.baskets = baskets; self.mealsSaved = mealsSaved; self.weightSavedKg = weightSavedKg
        self.co2eAvoidedKg = co2eAvoidedKg; self.valueSavedCents = valueSavedCents
        self.beneficiariesHelped = beneficiariesHelped; self.factors = factors
    }
}

/// Food lots and materials together.
public struct ImpactTotals: Codable, Sendable, Equatable {
    /// Food lots' CO2e avoided plus the materials exchange's.
    public var co2eAvoidedKg: Double
    /// Food collected plus materials reused, in kilograms.
    public var weightDivertedKg: Double

    public init(food: ImpactSummary, materials: MaterialsImpact?) {
        co2eAvoidedKg = ImpactRounding.kilograms(food.co2eAvoidedKg + (materials?.co2eAvoidedKg ?? 0))
        weightDivertedKg = ImpactRounding.kilograms(food.weightSavedKg + (materials?.tonnesReused ?? 0) * 1000)
    }
}

/// How impact figures are rounded before they are shown: sums of floating-point shares would
/// otherwise print as `12.399999999999999`.
public enum ImpactRounding {
    /// To the gram.
    public static func kilograms(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
    /// To the hundredth of a meal.
    public static func meals(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    /// To the kilogram.
    public static func tonnes(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// What completed materials operations add up to.
public struct MaterialsImpact: Codable, Sendable, Equatable {
    public var operations: Int
    public var tonnesReused: Double
    public var co2eAvoidedKg: Double
    /// Of which hazardous waste, in tonnes, always with a recorded treatment operation.
    public var hazardousTonnes: Double
    /// The reuse factor table versions the CO2e figure was computed with.
    public var factorVersions: [String]

    public init(operations: Int, tonnesReused: Double, co2eAvoidedKg: Double, hazardousTonnes: Double, factorVersions: [String]) {
        self.operations = operations; self.tonnesReused = tonnesReused; self.co2eAvoidedKg = co2eAvoidedKg
        self.hazardousTonnes = hazardousTonnes; self.factorVersions = factorVersions
    }
}

/// Bus requests reporting answers.
public enum ReportingRequests {
    public static let summary = "kpi.summary"

    public struct Summary: Codable, Sendable {
        /// Only this merchant's operations, when set.
        public var merchantId: String?
        public init(merchantId: String? = nil) { self.merchantId = merchantId }
    }
}
