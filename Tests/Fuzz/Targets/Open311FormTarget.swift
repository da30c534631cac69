import Foundation
import GatewayService

/// The Open311 form parser and the report draft built from it: what an anonymous client POSTs to
/// `/open311/v2/requests`. A form that parses gives the same fields when encoded again, and a draft
/// is either refused with an error or has finite coordinates and a service code.
enum Open311FormTarget {
    /// The target, as `FuzzTargets.all` lists it.
    static let target = FuzzTarget(name: "open311-form", about: "Open311 form bodies (Open311Form.parse, draft)") { data in
        let text = String(decoding: data, as: UTF8.self)
        guard let form = try? Open311Form.parse(text) else { return }
        let encoded = form.fields.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
        FuzzCheck.require((try? Open311Form.parse(encoded))?.fields == form.fields, "a parsed form encodes back to the same fields")
        guard let draft = try? Open311RequestRoutes.draft(from: form) else { return }
        FuzzCheck.require(draft.latitude.isFinite && draft.longitude.isFinite, "a draft's coordinates are finite")
        FuzzCheck.require(!draft.category.isEmpty, "a draft has a service code")
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
