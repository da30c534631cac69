import EcoModel

/// kg CO2e avoided per kg reused, by List of Waste chapter, versioned. A listing records the
/// version it was labelled with, so a later table never changes an old label.
///
/// These are the project's starting values, not an authoritative source: replace them with a
/// sourced table under a new version, and keep this one for the labels already issued.
public enum ReuseFactors {
    public static let version = "reuse-2026.1"
    public static let source = "EcoResupply starting table reuse-2026.1 (placeholder values per LER chapter, to be replaced by a sourced table)"

    static let byChapter: [String: Double] = [
        "02": 1.0,   // agriculture, food processing
        "03": 0.5,   // wood, paper, furniture processing
        "04": 2.0,   // leather, textiles
        "07": 1.5,   // organic chemical processes (plastics)
        "08": 1.0,   // coatings, adhesives, inks
        "12": 1.5,   // metal and plastic shaping
        "15": 1.0,   // packaging
        "16": 2.0,   // not otherwise specified (equipment, batteries)
        "17": 0.1,   // construction and demolition
        "19": 0.2,   // waste treatment
        "20": 0.5,   // municipal waste
    ]
    static let fallback = 0.3

    public static func factor(chapter: String) -> EmissionFactor {
        EmissionFactor(version: version, kgCO2ePerUnit: byChapter[chapter] ?? fallback, unit: "kg reused (LER chapter \(chapter))", source: source)
    }
}
