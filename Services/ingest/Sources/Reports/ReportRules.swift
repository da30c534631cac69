import EcoBus
import EcoModel
import EcoTerritory
import Foundation

/// What a report must be: a known category, a place inside the service area, text within limits,
/// a contact that looks like one. Photos are checked by `PhotoStore`.
public enum ReportRules {
    public static let descriptionLimit = 2000
    public static let addressLimit = 200
    public static let mediaUrlLimit = 2000
    /// A filing of the same category this close to an open report is linked to it.
    public static let duplicateRadiusMetres = 50.0
    /// …if that report was filed this recently.
    public static let duplicateWindow: TimeInterval = 30 * 86_400

    public static func validate(_ draft: ReportDraft, territory: Territory) throws(RemoteError) -> ReportDraft {
        var draft = draft
        guard territory.category(draft.category) != nil else {
            throw .invalid("category", "unknown category '\(draft.category)'; known: \(territory.categories.map(\.code).joined(separator: ", "))")
        }
        let point = GeoPoint(latitude: draft.latitude, longitude: draft.longitude)
        guard point.isValid else { throw .invalid("latitude", "latitude and longitude must be a position on Earth") }
        guard territory.serviceArea.contains(point) else { throw .invalid("latitude", "this place is outside the area the service covers") }
        draft.description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !draft.description.isEmpty, draft.description.count <= descriptionLimit else {
            throw .invalid("description", "description must have 1 to \(descriptionLimit) characters")
        }
        if let address = draft.address {
            let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count <= addressLimit else { throw .invalid("address", "address may have at most \(addressLimit) characters") }
            draft.address = trimmed.isEmpty ? nil : trimmed
        }
        if let mediaUrl = draft.mediaUrl {
            let scheme = URL(string: mediaUrl)?.scheme?.lowercased()
            guard mediaUrl.count <= mediaUrlLimit, scheme == "https" || scheme == "http", URL(string: mediaUrl)?.host != nil else {
                throw .invalid("mediaUrl", "mediaUrl must be an http or https address of at most \(mediaUrlLimit) characters")
            }
        }
        if let contact = draft.contact {
            if let email = contact.email {
                guard email.count <= 254, email.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) != nil else {
                    throw .invalid("contact.email", "contact.email is not an email address")
                }
            }
            if let name = contact.name, name.count > 100 { throw .invalid("contact.name", "contact.name may have at most 100 characters") }
            if let phone = contact.phone, phone.count > 30 || phone.range(of: #"^[0-9 +().-]*$"#, options: .regularExpression) == nil {
                throw .invalid("contact.phone", "contact.phone may have digits, spaces and + ( ) . - only, 30 at most")
            }
        }
        return draft
    }
}
