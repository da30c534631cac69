import EcoModel
import Foundation

/// A kind of environmental problem citizens report; its `code` is the Open311 `service_code`.
public struct ReportCategory: Codable, Sendable, Equatable {
    public let code: String
    public let name: String
    public let description: String
    public init(code: String, name: String, description: String) { self.code = code; self.name = name; self.description = description }
}

/// An authority that receives reports: its area, the categories it handles, and how it is reached.
public struct Jurisdiction: Sendable, Equatable {
    public let id: String
    public let name: String
    /// `municipality`, `metropolis`, `regional` or `national`: informative; the area decides.
    public let level: String
    public let categories: Set<String>
    public let area: GeoArea
    /// Where report notifications go by email, if the authority takes email.
    public let email: String?

    public init(id: String, name: String, level: String, categories: Set<String>, area: GeoArea, email: String?) {
        self.id = id; self.name = name; self.level = level; self.categories = categories; self.area = area; self.email = email
    }
}

/// The territory a deployment serves: the service area reports must fall in, the report categories,
/// and the jurisdictions. Read once at start from a JSON file, or the embedded default
/// (`Resources/territory.json`: Marseille, its metropolis, the region and the national bodies).
public struct Territory: Sendable {
    public let serviceArea: GeoArea
    public let categories: [ReportCategory]
    public let jurisdictions: [Jurisdiction]

    public init(serviceArea: GeoArea, categories: [ReportCategory], jurisdictions: [Jurisdiction]) {
        self.serviceArea = serviceArea
        self.categories = categories
        self.jurisdictions = jurisdictions
    }

    public func category(_ code: String) -> ReportCategory? { categories.first { $0.code == code } }

    /// The authority for a report: among those whose area contains the point and which handle the
    /// category, the one with the smallest area (ties by id); nil sends the report to the admin queue.
    public func route(category: String, at point: GeoPoint) -> Jurisdiction? {
        jurisdictions
            .filter { $0.categories.contains(category) && $0.area.contains(point) }
            .min { ($0.area.comparableArea, $0.id) < ($1.area.comparableArea, $1.id) }
    }

    /// The embedded default territory.
    public static func embedded() throws(TerritoryError) -> Territory {
        guard let url = Bundle.module.url(forResource: "territory", withExtension: "json") else {
            throw TerritoryError(reason: "the embedded territory.json is missing from the build")
        }
        return try load(from: url)
    }

    public static func load(from url: URL) throws(TerritoryError) -> Territory {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TerritoryError(reason: "cannot read \(url.path): \(error.localizedDescription)") }
        return try parse(data, name: url.lastPathComponent)
    }

    /// Reads the territory file: `{"serviceArea": <Polygon|MultiPolygon>, "categories": [{code, name, description}],
    /// "jurisdictions": <FeatureCollection of Polygon|MultiPolygon features with properties name, level, categories, email?>}`.
    public static func parse(_ data: Data, name: String = "territory") throws(TerritoryError) -> Territory {
        func fail(_ reason: String) -> TerritoryError { TerritoryError(reason: "\(name): \(reason)") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw fail("not a JSON object") }
        guard let areaJSON = root["serviceArea"] as? [String: Any] else { throw fail("serviceArea is missing") }
        let serviceArea: GeoArea
        do { serviceArea = try GeoArea(geoJSON: areaJSON) } catch { throw fail("serviceArea: \(error)") }
        guard let categoryList = root["categories"] as? [[String: Any]], !categoryList.isEmpty else { throw fail("categories is missing or empty") }
        var categories: [ReportCategory] = []
        for (index, entry) in categoryList.enumerated() {
            guard let code = entry["code"] as? String, code.range(of: "^[a-z0-9_]{1,40}$", options: .regularExpression) != nil,
                  let title = entry["name"] as? String else {
                throw fail("categories[\(index)] needs a code (a-z, 0-9, _) and a name")
            }
            guard !categories.contains(where: { $0.code == code }) else { throw fail("category \(code) appears twice") }
            categories.append(ReportCategory(code: code, name: title, description: entry["description"] as? String ?? title))
        }
        let known = Set(categories.map(\.code))
        guard let collection = root["jurisdictions"] as? [String: Any], collection["type"] as? String == "FeatureCollection",
              let features = collection["features"] as? [[String: Any]] else {
            throw fail("jurisdictions must be a GeoJSON FeatureCollection")
        }
        var jurisdictions: [Jurisdiction] = []
        for (index, feature) in features.enumerated() {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let id = (feature["id"] as? String) ?? (properties["id"] as? String), !id.isEmpty,
                  let title = properties["name"] as? String else {
                throw fail("jurisdictions.features[\(index)] needs an id and properties.name")
            }
            guard !jurisdictions.contains(where: { $0.id == id }) else { throw fail("jurisdiction \(id) appears twice") }
            let handled = Set(properties["categories"] as? [String] ?? [])
            if let unknown = handled.subtracting(known).sorted().first { throw fail("jurisdiction \(id) handles unknown category \(unknown)") }
            guard let geometry = feature["geometry"] as? [String: Any] else { throw fail("jurisdiction \(id) has no geometry") }
            let area: GeoArea
            do { area = try GeoArea(geoJSON: geometry) } catch { throw fail("jurisdiction \(id): \(error)") }
            jurisdictions.append(Jurisdiction(
                id: id, name: title, level: properties["level"] as? String ?? "authority", categories: handled, area: area,
                email: properties["email"] as? String))
        }
        return Territory(serviceArea: serviceArea, categories: categories, jurisdictions: jurisdictions)
    }
}

/// Why a territory file was refused.
public struct TerritoryError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
