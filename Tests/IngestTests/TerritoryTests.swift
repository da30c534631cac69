import EcoModel
import EcoTerritory
import Foundation
import Testing

@Suite("Territory: service area, categories and routing to the competent authority")
struct TerritoryTests {
    let territory: Territory

    init() throws { territory = try Territory.embedded() }

    static let vieuxPort = GeoPoint(latitude: 43.2951, longitude: 5.3740)
    static let aix = GeoPoint(latitude: 43.5297, longitude: 5.4474)

    @Test("the most specific area that handles the category wins; none sends the report to the admin queue")
    func routing() {
        #expect(territory.route(category: "illegal_dumping", at: Self.vieuxPort)?.id == "marseille", "the city, inside the metropolis")
        #expect(territory.route(category: "overflowing_bin", at: Self.vieuxPort)?.id == "metropole-aix-marseille", "the city does not handle bins")
        #expect(territory.route(category: "illegal_dumping", at: Self.aix)?.id == "metropole-aix-marseille", "outside the city")
        #expect(territory.route(category: "water_pollution", at: Self.vieuxPort)?.id == "dreal-paca", "the region before the nation")
        #expect(territory.route(category: "wildlife_harm", at: Self.vieuxPort)?.id == "ofb")
        #expect(territory.route(category: "noise", at: Self.aix) == nil, "nobody handles noise in Aix: the admin queue")
        #expect(territory.serviceArea.contains(Self.vieuxPort))
        #expect(!territory.serviceArea.contains(GeoPoint(latitude: 40.71, longitude: -74.0)))
    }

    @Test("polygons with holes, and multipolygons")
    func geometry() throws {
        let square: [[Double]] = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
        let hole: [[Double]] = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
        let ring = try GeoArea(geoJSON: ["type": "Polygon", "coordinates": [square, hole]])
        #expect(ring.contains(GeoPoint(latitude: 2, longitude: 2)))
        #expect(!ring.contains(GeoPoint(latitude: 5, longitude: 5)), "inside the hole")
        #expect(!ring.contains(GeoPoint(latitude: 11, longitude: 5)))
        let far: [[Double]] = [[20, 20], [21, 20], [21, 21], [20, 21], [20, 20]]
        let multi = try GeoArea(geoJSON: ["type": "MultiPolygon", "coordinates": [[square], [far]]])
        #expect(multi.contains(GeoPoint(latitude: 20.5, longitude: 20.5)) && multi.contains(GeoPoint(latitude: 1, longitude: 1)))
        #expect(multi.comparableArea > ring.comparableArea)
        #expect(throws: GeoAreaError.self) { try GeoArea(geoJSON: ["type": "Point", "coordinates": [1, 2]]) }
        #expect(throws: GeoAreaError.self) { try GeoArea(geoJSON: ["type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]]) }
        #expect(throws: GeoAreaError.self) { try GeoArea(geoJSON: ["type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]]) }
    }

    @Test("a territory file with a mistake is refused, saying where")
    func badFiles() throws {
        let area = #"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}"#
        func parse(_ jurisdictions: String, categories: String = #"[{"code": "noise", "name": "Noise"}]"#) throws(TerritoryError) -> Territory {
            try Territory.parse(Data(#"{"serviceArea": \#(area), "categories": \#(categories), "jurisdictions": \#(jurisdictions)}"#.utf8))
        }
        let good = #"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a", "properties": {"name": "A", "categories": ["noise"]}, "geometry": \#(area)}]}"#
        #expect(try parse(good).jurisdictions.map(\.id) == ["a"])
        let unknown = good.replacingOccurrences(of: #"["noise"]"#, with: #"["smell"]"#)
        #expect(throws: TerritoryError.self) { try parse(unknown) }
        #expect(throws: TerritoryError.self) { try parse(#"{"type": "FeatureCollection"}"#) }
        #expect(throws: TerritoryError.self) { try parse(good, categories: #"[{"code": "Bad Code", "name": "x"}]"#) }
    }
}
