import EcoModel
import Foundation
import Hummingbird

/// The values each enumerated field of a request accepts, by the Swift type's name, so that a
/// refusal lists them instead of showing Swift's own message.
enum AllowedValues {
    static let byType: [String: [String]] = [
        name(LotCategory.self): LotCategory.allCases.map(\.rawValue),
        name(ListingKind.self): ListingKind.allCases.map(\.rawValue),
        name(QuantityUnit.self): QuantityUnit.allCases.map(\.rawValue),
        name(ListingTerms.self): ListingTerms.allCases.map(\.rawValue),
        name(ReportStatus.self): ReportStatus.allCases.map(\.rawValue),
        name(Role.self): Role.allCases.map(\.rawValue),
        name(ConsentPurpose.self): ConsentPurpose.allCases.map(\.rawValue),
        name(OrganisationKind.self): OrganisationKind.allCases.map(\.rawValue),
        name(MemberRole.self): MemberRole.allCases.map(\.rawValue),
    ]

    static func name(_ type: Any.Type) -> String { String(describing: type) }

    /// "must be one of …" for Swift's "Cannot initialize T from invalid String value v", else nil.
    static func message(forDecodingFailure description: String, field: String) -> String? {
        guard let range = description.range(of: #"Cannot initialize (\w+) from invalid \w+ value (.*)"#, options: .regularExpression) else { return nil }
        let words = description[range].split(separator: " ", maxSplits: 7, omittingEmptySubsequences: true)
        guard words.count == 8, let allowed = byType[String(words[2])] else { return nil }
        return "\(field) must be one of \(allowed.joined(separator: ", ")) (not \(words[7]))"
    }
}

extension Request {
    /// The query parameter `name` as one of `T`'s values, nil when absent; a 400 listing them otherwise.
    func enumQuery<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.invalid(name, "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")) (not \(text))")
        }
        return value
    }
}
