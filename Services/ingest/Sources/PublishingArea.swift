import EcoBus
import EcoModel
import EcoTerritory

/// Where lots, listings and demands may be published: inside the territory's service area, as
/// reports must be. `anywhere` is for tools that build synthetic markets (benchmarks).
public struct PublishingArea: Sendable {
    let area: GeoArea?

    public init(_ area: GeoArea) { self.area = area }
    private init() { area = nil }

    public static let anywhere = PublishingArea()

    /// Refuses a place outside the area, naming the field it came from.
    func check(_ point: GeoPoint, field: String = "location") throws(RemoteError) {
        guard let area, !area.contains(point) else { return }
        throw .invalid(field, "\(field) is outside the area this service covers (its territory's service area); publish where the territory is")
    }
}
