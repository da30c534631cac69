import EcoBus
import EcoModel
import Foundation
import IngestService
import Testing

@Suite("LotRules: what a lot must be")
struct LotRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func draft(price: Int = 600, original: Int = 1000, baskets: Int = 3, start: TimeInterval = 3600, length: TimeInterval = 3600) -> LotDraft {
        LotDraft(
            title: "  Paniers  ", description: "  ", category: .bakery, baskets: baskets, mealsPerBasket: 2, weightPerBasketKg: 1,
            originalValueCents: original, priceCents: price,
            pickupStart: now.addingTimeInterval(start), pickupEnd: now.addingTimeInterval(start + length),
            location: Place(latitude: 43.3, longitude: 5.37, address: " Quai "))
    }

    func field(_ draft: LotDraft) -> String? {
        do {
            _ = try LotRules.validate(draft, now: now)
            return nil
        } catch {
            return error.field ?? error.code
        }
    }

    @Test("a paid lot costs 30% to 70% less than its original value; 0 makes it free", arguments: [
        (1000, 700, true), (1000, 300, true), (1000, 701, false), (1000, 299, false), (1000, 0, true), (999, 699, true), (999, 700, false), (1000, -5, false),
    ])
    func priceBounds(original: Int, price: Int, accepted: Bool) {
        #expect((field(draft(price: price, original: original)) == nil) == accepted)
        if !accepted { #expect(field(draft(price: price, original: original)) == "priceCents") }
    }

    @Test("each broken rule names its field")
    func fields() {
        #expect(field(draft(baskets: 0)) == "baskets")
        #expect(field(draft(baskets: 501)) == "baskets")
        #expect(field(draft(length: 0)) == "pickupEnd")
        #expect(field(draft(length: 25 * 3600)) == "pickupEnd")
        #expect(field(draft(start: -7200, length: 3600)) == "pickupEnd", "a window that has ended")
        #expect(field(draft(start: 15 * 86_400)) == "pickupStart")
        var noTitle = draft()
        noTitle.title = "   "
        #expect(field(noTitle) == "title")
        var nowhere = draft()
        nowhere.location.latitude = .nan
        #expect(field(nowhere) == "location")
        var noMeals = draft()
        noMeals.mealsPerBasket = .infinity
        #expect(field(noMeals) == "mealsPerBasket")
    }

    @Test("validation trims text and drops an empty description")
    func normalises() throws {
        let clean = try LotRules.validate(draft(), now: now)
        #expect(clean.title == "Paniers")
        #expect(clean.description == nil)
        #expect(clean.location.address == "Quai")
    }
}

@Suite("GeoPoint: distances for browsing")
struct GeoPointTests {
    @Test("great-circle distance matches known figures, and the bounding box holds every point within the radius")
    func distances() {
        let marseille = GeoPoint(latitude: 43.2965, longitude: 5.3698)
        let lyon = GeoPoint(latitude: 45.7640, longitude: 4.8357)
        #expect(abs(marseille.distanceKm(to: lyon) - 277.5) < 2)
        #expect(marseille.distanceKm(to: marseille) == 0)
        let box = marseille.boundingBox(radiusKm: 10)
        for bearing in stride(from: 0.0, to: 360, by: 15) {
            // A point 9.9 km away in each direction lies inside the box.
            let δ = 9.9 / GeoPoint.earthRadiusKm, θ = bearing * .pi / 180
            let φ1 = marseille.latitude * .pi / 180, λ1 = marseille.longitude * .pi / 180
            let φ2 = asin(sin(φ1) * cos(δ) + cos(φ1) * sin(δ) * cos(θ))
            let λ2 = λ1 + atan2(sin(θ) * sin(δ) * cos(φ1), cos(δ) - sin(φ1) * sin(φ2))
            let point = GeoPoint(latitude: φ2 * 180 / .pi, longitude: λ2 * 180 / .pi)
            #expect(box.latitude.contains(point.latitude) && box.longitude.contains(point.longitude), "bearing \(bearing)")
            #expect(abs(marseille.distanceKm(to: point) - 9.9) < 0.01)
        }
    }
}
