import Foundation

/// The rules sign-up applies to what people type, each failure naming its field.
public enum CredentialRules {
    public static let passwordMinimum = 10
    /// bcrypt reads at most 72 bytes; a longer password would be cut silently, so it is refused.
    public static let passwordMaximumBytes = 72
    public static let emailMaximum = 254
    public static let displayNameMaximum = 80

    /// The email, trimmed and lowercased, if it has the shape of an address.
    public static func email(_ raw: String) throws(APIError) -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= emailMaximum, parts.count == 2, !parts[0].isEmpty,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true })
        else { throw APIError.invalid("email", "email must be an address such as name@example.org") }
        return email
    }

    public static func password(_ password: String) throws(APIError) -> String {
        guard password.count >= passwordMinimum else {
            throw APIError.invalid("password", "password must have at least \(passwordMinimum) characters")
        }
        guard password.utf8.count <= passwordMaximumBytes else {
            throw APIError.invalid("password", "password may have at most \(passwordMaximumBytes) bytes")
        }
        return password
    }

    public static func displayName(_ raw: String) throws(APIError) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= displayNameMaximum,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw APIError.invalid("displayName", "displayName must have 1 to \(displayNameMaximum) printable characters") }
        return name
    }
}
