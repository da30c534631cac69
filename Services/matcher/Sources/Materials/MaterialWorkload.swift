import EcoModel
import Foundation

/// A reproducible synthetic market for the scaling test and `ecoresupply bench matcher`: listings
/// and demands scattered over a region, wanting and offering non-hazardous codes of chapters 12,
/// 15, 17, 19 and 20. The same seed always gives the same drafts.
public struct MaterialWorkload: Sendable {
    public static let codes = [
        "170101", "170102", "170103", "170107", "170201", "170202", "170203", "170302", "170401", "170402", "170405", "170407",
        "170411", "170504", "170604", "170802", "170904", "150101", "150102", "150103", "150104", "150107", "200101", "200102",
        "200138", "200139", "200140", "120101", "120102", "120103", "120105", "191202", "191203", "191204", "191205", "191207",
    ]

    public var listings: [ListingDraft]
    public var demands: [DemandDraft]

    /// - Parameters:
    ///   - regionDegrees: the side of the square region (centred on Lyon), in degrees.
    public init(seed: UInt64, listings listingCount: Int, demands demandCount: Int, regionDegrees: Double = 3, now: Date = Date()) {
        var random = SplitMix64(seed: seed)
        func point() -> Place {
            Place(latitude: 45.76 - regionDegrees / 2 + Double.random(in: 0..<regionDegrees, using: &random),
                  longitude: 4.84 - regionDegrees / 2 + Double.random(in: 0..<regionDegrees, using: &random), address: "site")
        }
        func code() -> String { Self.codes[Int.random(in: 0..<Self.codes.count, using: &random)] }
        listings = (0..<listingCount).map { index in
            ListingDraft(
                kind: .material, lerCode: code(), title: "surplus \(index)", description: nil,
                quantity: Double(Int.random(in: 1...40, using: &random) * 50), unit: .kg, densityKgPerUnit: nil, unitMassKg: nil,
                condition: "used", location: point(), availableFrom: now.addingTimeInterval(-3600),
                availableUntil: now.addingTimeInterval(Double(Int.random(in: 7...60, using: &random)) * 86_400), terms: .donated,
                priceCents: nil, treatmentOperation: nil, organisationId: nil)
        }
        demands = (0..<demandCount).map { index in
            let first = code()
            let chapter = Int.random(in: 0..<10, using: &random) == 0
            let minimum = Double(Int.random(in: 1...4, using: &random) * 50)
            return DemandDraft(
                lerCodes: chapter ? nil : [first, code()], chapters: chapter ? [String(first.prefix(2))] : nil, kinds: nil,
                title: "demand \(index)", minimumKg: minimum, maximumKg: minimum + Double(Int.random(in: 1...30, using: &random) * 50),
                location: point(), maximumDistanceKm: Double(Int.random(in: 5...25, using: &random)),
                neededFrom: now.addingTimeInterval(-3600), neededUntil: now.addingTimeInterval(Double(Int.random(in: 7...60, using: &random)) * 86_400),
                wantsTransport: Int.random(in: 0..<2, using: &random) == 0, organisationId: nil)
        }
    }
}
