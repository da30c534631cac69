import EcoModel
import Foundation

/// Demands grouped by what they want (a code, a chapter or a kind) and by a tenth-of-a-degree grid cell,
/// so that a listing looks only at demands that could want it and are near enough.
struct DemandIndex {
    static let cellDegrees = 0.1
    private var cells: [String: [Int: [Int: [Int]]]] = [:]
    private var reach: [String: Double] = [:]

    init(_ demands: [MaterialMatching.OpenDemand]) {
        for (position, demand) in demands.enumerated() {
            var keys = demand.lerCodes.map { "c" + $0 } + demand.chapters.map { "h" + $0 }
            if demand.lerCodes.isEmpty, demand.chapters.isEmpty { keys += demand.kinds.map { "k" + $0.rawValue } }
            let (row, column) = Self.cell(demand.point)
            for key in keys {
                cells[key, default: [:]][row, default: [:]][column, default: []].append(position)
                reach[key] = max(reach[key] ?? 0, demand.maximumDistanceKm)
            }
        }
    }

    static func cell(_ point: GeoPoint) -> (Int, Int) {
        (Int((point.latitude / cellDegrees).rounded(.down)), Int((point.longitude / cellDegrees).rounded(.down)))
    }

    /// Calls `body` with every demand that wants the listing's code, chapter or kind and lies within
    /// the farthest reach of such demands (possibly more than once; the caller filters).
    func forEachNearby(_ listing: MaterialMatching.OpenListing, _ body: (Int) -> Void) {
        for key in ["c" + listing.lerCode, "h" + listing.chapter, "k" + listing.kind.rawValue] {
            guard let rows = cells[key], let radius = reach[key] else { continue }
            let box = listing.point.boundingBox(radiusKm: radius)
            let (top, left) = Self.cell(GeoPoint(latitude: box.latitude.lowerBound, longitude: box.longitude.lowerBound))
            let (bottom, right) = Self.cell(GeoPoint(latitude: box.latitude.upperBound, longitude: box.longitude.upperBound))
            for row in top...bottom {
                guard let columns = rows[row] else { continue }
                for column in left...right {
                    columns[column]?.forEach(body)
                }
            }
        }
    }
}
