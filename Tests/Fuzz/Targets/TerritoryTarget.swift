import EcoModel
import EcoTerritory
import Foundation

/// The territory file reader (service area, categories, jurisdictions as GeoJSON), then routing on
/// the result: a territory that loads answers `contains` and `route` for any point without crashing.
enum TerritoryTarget {
    /// The target, as `FuzzTargets.all` lists it.
    static let target = FuzzTarget(name: "territory-geojson", about: "territory GeoJSON files (Territory.parse)") { data in
        guard let territory = try? Territory.parse(data) else { return }
        FuzzCheck.require(!territory.categories.isEmpty, "a territory that loads has categories")
        let points = [GeoPoint(latitude: 43.2965, longitude: 5.3698), GeoPoint(latitude: 0, longitude: 0), GeoPoint(latitude: -89.9, longitude: 179.9)]
        for point in points {
            _ = territory.serviceArea.contains(point)
            for category in territory.categories {
                if let jurisdiction = territory.route(category: category.code, at: point) {
                    FuzzCheck.require(jurisdiction.categories.contains(category.code), "a report goes to a jurisdiction that handles its category")
                }
            }
        }
    }
}
