import EcoBus
import EcoModel
import Foundation

/// The rules a lot must follow; each failure names its field.
public enum LotRules {
    public static let titleMaximum = 120
    public static let descriptionMaximum = 2000
    public static let addressMaximum = 200
    public static let basketsRange = 1...500
    public static let mealsRange = 0.5...50.0
    public static let weightRange = 0.05...100.0
    public static let valueRange = 1...1_000_000
    /// A paid lot costs 30% to 70% less than its original value (checked in whole cents).
    public static let longestWindow: TimeInterval = 24 * 3600
    public static let earliestStartAhead: TimeInterval = 14 * 24 * 3600

    /// Checks and normalises (trims) a draft.
    public static func validate(_ draft: LotDraft, now: Date = Date()) throws(RemoteError) -> LotDraft {
        var draft = draft
        draft.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !draft.title.isEmpty, draft.title.count <= titleMaximum else {
            throw .invalid("title", "title must have 1 to \(titleMaximum) characters")
        }
        if let description = draft.description?.trimmingCharacters(in: .whitespacesAndNewlines) {
            guard description.count <= descriptionMaximum else {
                throw .invalid("description", "description may have at most \(descriptionMaximum) characters")
            }
            draft.description = description.isEmpty ? nil : description
        }
        guard basketsRange.contains(draft.baskets) else {
            throw .invalid("baskets", "baskets must be between \(basketsRange.lowerBound) and \(basketsRange.upperBound)")
        }
        guard draft.mealsPerBasket.isFinite, mealsRange.contains(draft.mealsPerBasket) else {
            throw .invalid("mealsPerBasket", "mealsPerBasket must be between \(mealsRange.lowerBound) and \(mealsRange.upperBound)")
        }
        guard draft.weightPerBasketKg.isFinite, weightRange.contains(draft.weightPerBasketKg) else {
            throw .invalid("weightPerBasketKg", "weightPerBasketKg must be between \(weightRange.lowerBound) and \(weightRange.upperBound)")
        }
        guard valueRange.contains(draft.originalValueCents) else {
            throw .invalid("originalValueCents", "originalValueCents must be between \(valueRange.lowerBound) and \(valueRange.upperBound)")
        }
        if draft.priceCents != 0 {
            // In whole cents, without floating point: at least 30% of the value (70% off), at most 70% (30% off).
            let lowest = (draft.originalValueCents * 30 + 99) / 100
            let highest = draft.originalValueCents * 70 / 100
            guard (lowest...max(lowest, highest)).contains(draft.priceCents), draft.priceCents > 0 else {
                throw .invalid("priceCents", "priceCents must be 0 (a free lot) or between \(lowest) and \(highest): 30% to 70% below originalValueCents")
            }
        }
        guard draft.pickupEnd > draft.pickupStart else {
            throw .invalid("pickupEnd", "pickupEnd must come after pickupStart")
        }
        guard draft.pickupEnd.timeIntervalSince(draft.pickupStart) <= longestWindow else {
            throw .invalid("pickupEnd", "a pickup window lasts at most 24 hours")
        }
        guard draft.pickupEnd > now else { throw .invalid("pickupEnd", "pickupEnd must be in the future") }
        guard draft.pickupStart <= now.addingTimeInterval(earliestStartAhead) else {
            throw .invalid("pickupStart", "pickupStart may be at most 14 days ahead")
        }
        guard draft.location.point.isValid else {
            throw .invalid("location", "location needs a latitude in [-90, 90] and a longitude in [-180, 180]")
        }
        draft.location.address = draft.location.address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !draft.location.address.isEmpty, draft.location.address.count <= addressMaximum else {
            throw .invalid("location.address", "location.address must have 1 to \(addressMaximum) characters")
        }
        return draft
    }
}
