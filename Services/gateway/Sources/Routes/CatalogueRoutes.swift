import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// `GET /v1/jurisdictions` and `GET /v1/categories`: what a person would otherwise have to guess:
/// the authorities reports go to, and the codes lots, materials and reports are filed under.
public struct CatalogueRoutes: Sendable {
    let services: ServiceCaller
    static let ingest = ServiceInstance(.ingest)

    /// One code of a list, with a name to show.
    struct Entry: Codable, Sendable {
        var code: String
        var name: String
        var description: String?
    }

    struct Categories: Codable, Sendable {
        /// `category` of a food lot.
        var lots: [Entry]
        /// `kind` of a materials listing.
        var materials: [Entry]
        /// `unit` of a listing's quantity.
        var units: [Entry]
        /// `category` of a report (the Open311 `service_code`).
        var reports: [Entry]
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: public.
        router.get("/v1/jurisdictions") { _, _ in
            let items = try await services.call(Self.ingest, ReportRequests.jurisdictions, [String: String](), as: [JurisdictionInfo].self)
            return try JSONResponse.make(.ok, ["items": items])
        }
        // Roles: public.
        router.get("/v1/categories") { _, _ in
            let reports = try await services.call(Self.ingest, ReportRequests.services, [String: String](), as: [ReportService].self)
            return try JSONResponse.make(.ok, Categories(
                lots: LotCategory.allCases.map { Entry(code: $0.rawValue, name: Self.name(of: $0)) },
                materials: ListingKind.allCases.map { Entry(code: $0.rawValue, name: Self.name(of: $0).name, description: Self.name(of: $0).description) },
                units: QuantityUnit.allCases.map { Entry(code: $0.rawValue, name: Self.name(of: $0)) },
                reports: reports.map { Entry(code: $0.code, name: $0.name, description: $0.description) }))
        }
    }

    static func name(of category: LotCategory) -> String {
        switch category {
        case .bakery: "Bakery"
        case .fruitVegetables: "Fruit and vegetables"
        case .dairy: "Dairy"
        case .meatFish: "Meat and fish"
        case .preparedMeals: "Prepared meals"
        case .grocery: "Grocery"
        case .mixed: "Mixed"
        }
    }

    static func name(of kind: ListingKind) -> (name: String, description: String) {
        switch kind {
        case .material: ("Material", "reusable raw or surplus material: timber, tiles, textiles, packaging")
        case .equipment: ("Equipment", "furniture, tools and machines for reuse")
        case .waste: ("Waste", "waste for recovery, with its EU List of Waste code")
        }
    }

    static func name(of unit: QuantityUnit) -> String {
        switch unit {
        case .kg: "kilograms"
        case .t: "tonnes"
        case .cubicMetre: "cubic metres"
        case .litre: "litres"
        case .pieces: "pieces"
        }
    }
}
