import EcoModel
import Foundation

/// A report as an Open311 `request`: the specification's field names, its two states (`open`,
/// `closed`; our finer status goes into `status_notes`), and dates with an offset. Nothing personal.
enum Open311ServiceRequest {
    /// - Parameter photoURL: the absolute URL of a photo by hash: `media_url` is the first photo's when
    ///   the filing gave none of its own.
    static func node(_ report: PublicReport, serviceName: String?, agency: String?, photoURL: (String) -> String) -> Open311Format.Node {
        let latest = report.history.last
        let notes = latest?.reason ?? (report.status == .closed ? nil : "\(report.status.rawValue.replacingOccurrences(of: "_", with: " "))")
        return .object([
            ("service_request_id", .text(report.id)),
            ("status", .text(report.status == .closed ? "closed" : "open")),
            ("status_notes", .text(notes)),
            ("service_name", .text(serviceName ?? report.category)),
            ("service_code", .text(report.category)),
            ("description", .text(report.description)),
            ("agency_responsible", .text(agency)),
            ("service_notice", .text(nil)),
            ("requested_datetime", Open311Format.date(report.filedAt)),
            ("updated_datetime", Open311Format.date(report.updatedAt)),
            ("expected_datetime", .text(nil)),
            ("address", .text(report.address)),
            ("address_id", .text(nil)),
            ("zipcode", .text(nil)),
            ("lat", .number(report.latitude)),
            ("long", .number(report.longitude)),
            ("media_url", .text(report.mediaUrl ?? report.photos.first.map(photoURL))),
        ])
    }

    /// The Open311 name of one of our fields, for error descriptions.
    static func parameter(for field: String?) -> String? {
        switch field {
        case "category": "service_code"
        case "latitude": "lat"
        case "longitude": "long"
        case "address": "address_string"
        case "contact.email": "email"
        case "contact.phone": "phone"
        case "contact.name": "first_name"
        case "mediaUrl": "media_url"
        default: field
        }
    }
}
