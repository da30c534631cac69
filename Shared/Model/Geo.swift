import Foundation

/// A point on Earth in WGS 84 degrees.
public struct GeoPoint: Codable, Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }

    public static let earthRadiusKm = 6371.0088

    /// Great-circle distance in kilometres (haversine).
    public func distanceKm(to other: GeoPoint) -> Double {
        let φ1 = latitude * .pi / 180, φ2 = other.latitude * .pi / 180
        let Δφ = (other.latitude - latitude) * .pi / 180
        let Δλ = (other.longitude - longitude) * .pi / 180
        let a = sin(Δφ / 2) * sin(Δφ / 2) + cos(φ1) * cos(φ2) * sin(Δλ / 2) * sin(Δλ / 2)
        return 2 * Self.earthRadiusKm * atan2(sqrt(a), sqrt(1 - a))
    }

    /// Latitude and longitude ranges that contain every point within `radiusKm` (a prefilter for queries).
    /// The longitude span is the spherical cap's exact widest (asin(sin r / cos φ), reached poleward
    /// of the centre), not r / cos φ, which is narrower and left points at the very edge outside;
    /// a hair of margin keeps a point at exactly `radiusKm` inside despite rounding.
    public func boundingBox(radiusKm: Double) -> (latitude: ClosedRange<Double>, longitude: ClosedRange<Double>) {
        let angular = max(0, radiusKm) / Self.earthRadiusKm
        let margin = 1e-9
        let Δlat = angular * 180 / .pi + margin
        let ratio = sin(min(angular, .pi / 2)) / max(cos(latitude * .pi / 180), 1e-9)
        let Δlon = ratio >= 1 ? 180 : asin(ratio) * 180 / .pi + margin
        return (max(-90, latitude - Δlat)...min(90, latitude + Δlat), max(-180, longitude - Δlon)...min(180, longitude + Δlon))
    }
}

/// A place: a point and the address people read.
public struct Place: Codable, Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    public var address: String

    public init(latitude: Double, longitude: Double, address: String) {
        self.latitude = latitude
        self.longitude = longitude
        self.address = address
    }

    public var point: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }
}
