import EcoModel
import Foundation
import Hummingbird

/// Reads `GET /v1/reports`'s filters: `category`, `status`, `jurisdiction` (an id, or `unrouted`),
/// `bbox=minLon,minLat,maxLon,maxLat` (GeoJSON's order), `from`/`to` (ISO 8601), `limit`, `cursor`.
enum ReportListQuery {
    static func parse(_ request: Request) throws -> ReportSearchRequests.List {
        let query = request.uri.queryParameters
        func text(_ name: String) -> String? { query[Substring(name)].map(String.init) }
        func date(_ name: String) throws -> Date? {
            guard let value = text(name) else { return nil }
            guard let date = RequestValueFormats.parseDate(value) else {
                throw APIError.invalid(name, "\(name) must be \(RequestValueFormats.dateExpectation)")
            }
            return date
        }
        var box: ReportSearchRequests.Box?
        if let value = text("bbox") {
            let numbers = value.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == 4, let minLon = numbers[0], let minLat = numbers[1], let maxLon = numbers[2], let maxLat = numbers[3],
                  [minLon, minLat, maxLon, maxLat].allSatisfy(\.isFinite)
            else { throw APIError.invalid("bbox", "bbox is four numbers: minLon,minLat,maxLon,maxLat") }
            box = ReportSearchRequests.Box(minLatitude: minLat, minLongitude: minLon, maxLatitude: maxLat, maxLongitude: maxLon)
        }
        let page = try Page(from: request)
        return ReportSearchRequests.List(
            category: text("category"), status: try request.enumQuery("status", as: ReportStatus.self), jurisdictionId: text("jurisdiction"),
            box: box, from: try date("from"), to: try date("to"), limit: page.limit, cursor: page.cursor)
    }
}
