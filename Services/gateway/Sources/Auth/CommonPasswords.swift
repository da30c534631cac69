import Foundation

/// The list of common passwords that ships with the gateway (`Resources/common-passwords.txt`),
/// and the check every new password goes through.
public struct CommonPasswords: Sendable {
    let words: Set<String>

    public init(words: Set<String>) {
        self.words = words
    }

    /// The shipped list, read once.
    public static let shipped: CommonPasswords = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("common-passwords.txt is missing from the gateway's resources") }
        return CommonPasswords(words: Set(text.split(separator: "\n").map(String.init)))
    }()

    /// True when the password is a common one: listed as it is (in any case), listed once the
    /// digits and punctuation around it are taken off ("Dragon!2024!!"), or made of fewer than
    /// four distinct characters.
    public func isCommon(_ password: String) -> Bool {
        let lowered = password.lowercased()
        if words.contains(lowered) { return true }
        let core = lowered.trimmingCharacters(in: .letters.inverted)
        if core.count >= 4, words.contains(core) { return true }
        return Set(lowered).count < 4
    }
}
