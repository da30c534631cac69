import EcoModel
import Foundation

/// A GeoJSON Polygon or MultiPolygon (RFC 7946): rings of `[longitude, latitude]` positions, the
/// first ring of each polygon its outer boundary and the others its holes.
public struct GeoArea: Sendable, Equatable {
    /// Each polygon: its rings, each ring a closed list of points.
    public let polygons: [[[GeoPoint]]]

    public init(polygons: [[[GeoPoint]]]) { self.polygons = polygons }

    /// Whether the point lies inside (on the outer ring of a polygon and not in one of its holes).
    public func contains(_ point: GeoPoint) -> Bool {
        polygons.contains { rings in
            guard let outer = rings.first, Self.ring(outer, contains: point) else { return false }
            return !rings.dropFirst().contains { Self.ring($0, contains: point) }
        }
    }

    /// Area in square degrees scaled by the cosine of the latitude: only for comparing areas (the
    /// most specific authority is the one with the smallest area), not a surveyed figure.
    public var comparableArea: Double {
        polygons.reduce(0) { total, rings in
            guard let outer = rings.first else { return total }
            return total + Self.planarArea(outer) - rings.dropFirst().reduce(0) { $0 + Self.planarArea($1) }
        }
    }

    /// Ray casting, even-odd rule, in longitude/latitude.
    static func ring(_ ring: [GeoPoint], contains point: GeoPoint) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.latitude > point.latitude) != (b.latitude > point.latitude) {
                let crossing = (b.longitude - a.longitude) * (point.latitude - a.latitude) / (b.latitude - a.latitude) + a.longitude
                if point.longitude < crossing { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    static func planarArea(_ ring: [GeoPoint]) -> Double {
        guard ring.count >= 3 else { return 0 }
        let meanLatitude = ring.map(\.latitude).reduce(0, +) / Double(ring.count)
        var sum = 0.0
        var j = ring.count - 1
        for i in 0..<ring.count {
            sum += (ring[j].longitude + ring[i].longitude) * (ring[j].latitude - ring[i].latitude)
            j = i
        }
        return abs(sum / 2) * cos(meanLatitude * .pi / 180)
    }
}

/// Why a GeoJSON geometry was refused.
public struct GeoAreaError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

extension GeoArea {
    /// Reads a GeoJSON geometry object: `{"type": "Polygon" | "MultiPolygon", "coordinates": …}`.
    public init(geoJSON geometry: [String: Any]) throws(GeoAreaError) {
        func position(_ value: Any) throws(GeoAreaError) -> GeoPoint {
            guard let pair = value as? [Any], pair.count >= 2,
                  let longitude = (pair[0] as? NSNumber)?.doubleValue, let latitude = (pair[1] as? NSNumber)?.doubleValue else {
                throw GeoAreaError(reason: "a position is [longitude, latitude]")
            }
            let point = GeoPoint(latitude: latitude, longitude: longitude)
            guard point.isValid else { throw GeoAreaError(reason: "position [\(longitude), \(latitude)] is not on Earth") }
            return point
        }
        func polygon(_ value: Any) throws(GeoAreaError) -> [[GeoPoint]] {
            guard let rings = value as? [Any], !rings.isEmpty else { throw GeoAreaError(reason: "a polygon has at least one ring") }
            var result: [[GeoPoint]] = []
            for ringValue in rings {
                guard let positions = ringValue as? [Any] else { throw GeoAreaError(reason: "a ring is a list of positions") }
                var ring: [GeoPoint] = []
                for item in positions { ring.append(try position(item)) }
                guard ring.count >= 4, ring.first == ring.last else {
                    throw GeoAreaError(reason: "a ring has at least four positions and ends where it starts")
                }
                result.append(Array(ring.dropLast()))
            }
            return result
        }
        switch geometry["type"] as? String {
        case "Polygon":
            self.init(polygons: [try polygon(geometry["coordinates"] as Any)])
        case "MultiPolygon":
            guard let list = geometry["coordinates"] as? [Any], !list.isEmpty else { throw GeoAreaError(reason: "a MultiPolygon has at least one polygon") }
            var polygons: [[[GeoPoint]]] = []
            for item in list { polygons.append(try polygon(item)) }
            self.init(polygons: polygons)
        default:
            throw GeoAreaError(reason: "the geometry must be a Polygon or a MultiPolygon")
        }
    }
}
