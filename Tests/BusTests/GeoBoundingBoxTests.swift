import EcoModel
import Foundation
import Testing

/// The prefilter box of a radius search holds every point within the radius: the old one was
/// narrower than the spherical cap east and west, so a point at the very edge could be missed.
@Suite("GeoPoint.boundingBox: every point within the radius is inside")
struct GeoBoundingBoxTests {
    /// The point `distanceKm` from `start` on `bearing` degrees (great circle).
    static func destination(_ start: GeoPoint, bearing: Double, distanceKm: Double) -> GeoPoint {
        let δ = distanceKm / GeoPoint.earthRadiusKm, θ = bearing * .pi / 180
        let φ1 = start.latitude * .pi / 180, λ1 = start.longitude * .pi / 180
        let φ2 = asin(sin(φ1) * cos(δ) + cos(φ1) * sin(δ) * cos(θ))
        let λ2 = λ1 + atan2(sin(θ) * sin(δ) * cos(φ1), cos(δ) - sin(φ1) * sin(φ2))
        return GeoPoint(latitude: φ2 * 180 / .pi, longitude: λ2 * 180 / .pi)
    }

    @Test("points at the radius in every direction, at several latitudes, fall in the box")
    func edgesInside() {
        for latitude in [0.0, 43.3, 45.76, 60, 75] {
            let centre = GeoPoint(latitude: latitude, longitude: 4.84)
            for radius in [1.0, 25, 100] {
                let box = centre.boundingBox(radiusKm: radius)
                for bearing in stride(from: 0.0, to: 360, by: 0.5) {
                    // Just inside the radius, as the distance check would accept it.
                    let point = Self.destination(centre, bearing: bearing, distanceKm: radius * (1 - 1e-9))
                    #expect(centre.distanceKm(to: point) <= radius)
                    #expect(box.latitude.contains(point.latitude) && box.longitude.contains(point.longitude),
                            "lat \(latitude), \(radius) km, bearing \(bearing): \(point) outside \(box)")
                }
            }
        }
    }
}
