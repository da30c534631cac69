import Foundation

/// Beneficiary codes: `YYYY-BEN-XXXXX`, the year of verification (Europe/Paris) and five characters
/// drawn from a cryptographically secure generator, so that no code tells anything about another.
/// The alphabet leaves out characters people confuse (0/O, 1/I/L).
public enum BeneficiaryCode {
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let randomLength = 5

    public static func make(year: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(year: year, using: &generator)
    }

    public static func make(year: Int, using generator: inout some RandomNumberGenerator) -> String {
        let suffix = String((0..<randomLength).map { _ in alphabet.randomElement(using: &generator)! })
        return String(format: "%04d-BEN-%@", year, suffix)
    }

    /// Whether `code` has the form of a beneficiary code.
    public static func isWellFormed(_ code: String) -> Bool {
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[0].allSatisfy(\.isNumber), parts[1] == "BEN",
              parts[2].count == randomLength
        else { return false }
        return parts[2].allSatisfy { alphabet.contains($0) }
    }

    /// The calendar year of `date` in Europe/Paris.
    public static func year(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        return calendar.component(.year, from: date)
    }
}
