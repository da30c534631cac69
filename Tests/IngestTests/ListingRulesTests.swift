import EcoBus
import EcoModel
import EcoWaste
import Foundation
import IngestService
import Testing

@Suite("ListingRules: surplus listings with List of Waste codes")
struct ListingRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func draft(_ changes: [String: Any] = [:]) throws -> ListingDraft {
        var json: [String: Any] = [
            "kind": "waste", "lerCode": "17 05 04", "title": " Terre et cailloux ", "quantity": 12, "unit": "m3", "densityKgPerUnit": 1500,
            "condition": "excavated", "location": ["latitude": 43.3, "longitude": 5.4, "address": "Chantier Euromed"],
            "availableFrom": "2026-11-18T00:00:00Z", "availableUntil": "2026-12-18T00:00:00Z", "terms": "free",
        ]
        for (key, value) in changes { json[key] = value }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ListingDraft.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func field(_ draft: ListingDraft) -> String? {
        do {
            _ = try ListingRules.validate(draft, catalogue: .shipped, now: now)
            return nil
        } catch {
            return error.field
        }
    }

    @Test("quantities are normalised to kilograms when a density or unit mass says how")
    func normalisation() throws {
        #expect(try ListingRules.validate(draft(), catalogue: .shipped, now: now).quantityKg == 18_000)
        #expect(try ListingRules.validate(draft(["unit": "t", "quantity": 2.5]), catalogue: .shipped, now: now).quantityKg == 2500)
        #expect(try ListingRules.validate(draft(["unit": "pieces", "quantity": 40, "unitMassKg": 12.5]), catalogue: .shipped, now: now).quantityKg == 500)
        #expect(try ListingRules.validate(draft(["unit": "l", "densityKgPerUnit": NSNull()]), catalogue: .shipped, now: now).quantityKg == nil)
        #expect(field(try draft(["densityKgPerUnit": -1])) == "densityKgPerUnit")
    }

    @Test("the hazardous flag comes from the code, and hazardous waste needs its treatment operation")
    func hazardous() throws {
        #expect(field(try draft(["lerCode": "170503"])) == "treatmentOperation")
        let checked = try ListingRules.validate(draft(["lerCode": "170503", "treatmentOperation": "r5"]), catalogue: .shipped, now: now)
        #expect(checked.entry.hazardous && checked.draft.lerCode == "17 05 03*" && checked.draft.treatmentOperation == "R5")
        #expect(field(try draft(["lerCode": "17 05 04*"])) == "lerCode")
        #expect(field(try draft(["lerCode": "99 99 99"])) == "lerCode")
        #expect(field(try draft(["treatmentOperation": "X9"])) == "treatmentOperation")
    }

    @Test("terms, dates and text are checked")
    func rules() throws {
        #expect(field(try draft(["terms": "sold"])) == "priceCents")
        #expect(field(try draft(["terms": "sold", "priceCents": 5000])) == nil)
        #expect(field(try draft(["terms": "donated", "priceCents": 5000])) == "priceCents")
        #expect(field(try draft(["availableUntil": "2026-11-01T00:00:00Z"])) == "availableUntil")
        #expect(field(try draft(["quantity": 0])) == "quantity")
        #expect(field(try draft(["title": "  "])) == "title")
    }

    @Test("the impact label uses the chapter's versioned factor")
    func factors() {
        let construction = ReuseFactors.factor(chapter: "17")
        #expect(construction.version == "reuse-2026.1" && construction.kgCO2ePerUnit == 0.1)
        #expect(ReuseFactors.factor(chapter: "99").kgCO2ePerUnit == 0.3)
    }
}
