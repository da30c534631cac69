import Foundation

/// The rules sign-up applies to what people type, each failure naming its field.
public enum CredentialRules {
    public static let passwordMinimum = 12
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

    /// A new password: 12 characters at least, 72 bytes at most, and not a common password.
    /// - Parameter field: the request field it came from, named in the error.
    public static func password(_ password: String, field: String = "password", common: CommonPasswords = .shipped) throws(APIError) -> String {
        guard password.count >= passwordMinimum else {
            throw APIError.invalid(field, "\(field) must have at least \(passwordMinimum) characters")
        }
        guard password.utf8.count <= passwordMaximumBytes else {
            throw APIError.invalid(field, "\(field) may have at most \(passwordMaximumBytes) bytes")
        }
        guard !common.isCommon(password) else {
            throw APIError.invalid(field, "\(field) is one of the most common passwords; choose another (a few unrelated words make a good one)")
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
