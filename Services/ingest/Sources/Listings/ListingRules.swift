import EcoBus
import EcoModel
import EcoWaste
import Foundation

/// The rules a surplus listing follows; each failure names its field.
public enum ListingRules {
    public static let titleMaximum = 120
    public static let descriptionMaximum = 4000
    public static let longestAvailability: TimeInterval = 366 * 24 * 3600
    static let treatments: Set<String> = Set((1...13).map { "R\($0)" } + (1...15).map { "D\($0)" })

    /// A checked listing: the draft, its LER entry, and its quantity in kg when it can be known.
    public struct Checked: Sendable {
        public let draft: ListingDraft
        public let entry: LEREntry
        public let quantityKg: Double?
    }

    public static func validate(_ draft: ListingDraft, catalogue: LERCatalogue, now: Date = Date()) throws(RemoteError) -> Checked {
        var draft = draft
        let entry: LEREntry
        do {
            entry = try catalogue.entry(for: draft.lerCode)
        } catch {
            throw .invalid("lerCode", error.description)
        }
        draft.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !draft.title.isEmpty, draft.title.count <= titleMaximum else { throw .invalid("title", "title must have 1 to \(titleMaximum) characters") }
        if let description = draft.description, description.count > descriptionMaximum {
            throw .invalid("description", "description may have at most \(descriptionMaximum) characters")
        }
        guard draft.quantity.isFinite, draft.quantity > 0, draft.quantity <= 1e9 else { throw .invalid("quantity", "quantity must be above 0") }
        let kg = try quantityKg(draft)
        guard !draft.condition.trimmingCharacters(in: .whitespaces).isEmpty, draft.condition.count <= 80 else {
            throw .invalid("condition", "condition must have 1 to 80 characters, e.g. new, used, scrap")
        }
        guard draft.location.point.isValid else { throw .invalid("location", "location needs a valid latitude and longitude") }
        guard !draft.location.address.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("location.address", "location.address is required") }
        guard draft.availableUntil > draft.availableFrom else { throw .invalid("availableUntil", "availableUntil must come after availableFrom") }
        guard draft.availableUntil > now else { throw .invalid("availableUntil", "availableUntil must be in the future") }
        guard draft.availableUntil.timeIntervalSince(draft.availableFrom) <= longestAvailability else {
            throw .invalid("availableUntil", "a listing is available for at most a year")
        }
        switch draft.terms {
        case .sold:
            guard let price = draft.priceCents, price > 0 else { throw .invalid("priceCents", "a sold listing has a price above 0") }
        case .free, .donated:
            guard draft.priceCents == nil || draft.priceCents == 0 else { throw .invalid("priceCents", "a \(draft.terms.rawValue) listing has no price") }
        }
        if entry.hazardous {
            guard let operation = draft.treatmentOperation?.uppercased(), treatments.contains(operation) else {
                throw .invalid("treatmentOperation", "hazardous waste (\(entry.display)) needs its treatment operation: R1–R13 or D1–D15")
            }
            draft.treatmentOperation = operation
        } else if let operation = draft.treatmentOperation {
            guard treatments.contains(operation.uppercased()) else { throw .invalid("treatmentOperation", "use R1–R13 or D1–D15") }
            draft.treatmentOperation = operation.uppercased()
        }
        draft.lerCode = entry.display
        return Checked(draft: draft, entry: entry, quantityKg: kg)
    }

    /// The quantity in kilograms: direct for kg and t, with the density for m³ and litres, with the
    /// unit mass for pieces; nil when that figure is not given.
    static func quantityKg(_ draft: ListingDraft) throws(RemoteError) -> Double? {
        switch draft.unit {
        case .kg: return draft.quantity
        case .t: return draft.quantity * 1000
        case .cubicMetre, .litre:
            guard let density = draft.densityKgPerUnit else { return nil }
            guard density.isFinite, density > 0 else { throw .invalid("densityKgPerUnit", "densityKgPerUnit must be above 0") }
            return draft.quantity * density
        case .pieces:
            guard let mass = draft.unitMassKg else { return nil }
            guard mass.isFinite, mass > 0 else { throw .invalid("unitMassKg", "unitMassKg must be above 0") }
            return draft.quantity * mass
        }
    }
}
