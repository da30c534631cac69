import Foundation

/// One entry of the European List of Waste.
public struct LEREntry: Sendable, Equatable {
    /// Six digits, e.g. `170504`.
    public let code: String
    public let hazardous: Bool
    public let entryType: String
    public let chapterTitle: String
    public let subChapterTitle: String
    public let description: String

    /// The first two digits, e.g. `17`.
    public var chapter: String { String(code.prefix(2)) }
    /// The first four digits, e.g. `1705`.
    public var subChapter: String { String(code.prefix(4)) }
    /// The code as people write it: `17 05 04`, with `*` for hazardous entries.
    public var display: String {
        let digits = Array(code)
        return "\(String(digits[0...1])) \(String(digits[2...3])) \(String(digits[4...5]))" + (hazardous ? "*" : "")
    }
}

/// Why a code was refused.
public enum LERCodeError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknown(String)
    case hazardMarkMismatch(String)

    public var description: String {
        switch self {
        case .malformed(let text): "'\(text)' is not a List of Waste code: write six digits, e.g. 170504 or 17 05 04"
        case .unknown(let code): "\(code) is not in the European List of Waste"
        case .hazardMarkMismatch(let code): "\(code) is not a hazardous entry: remove the *"
        }
    }
}

/// The European List of Waste, shipped with the project (`Resources/ler-codes.csv`). The hazardous
/// flag always comes from here, never from what a user typed.
public struct LERCatalogue: Sendable {
    public let entries: [String: LEREntry]

    /// The catalogue shipped with the project.
    public static let shipped: LERCatalogue = {
        guard let url = Bundle.module.url(forResource: "ler-codes", withExtension: "csv"),
              let text = try? String(contentsOf: url, encoding: .utf8),
              let catalogue = try? LERCatalogue(csv: text)
        else { preconditionFailure("the shipped List of Waste (Resources/ler-codes.csv) is missing or unreadable") }
        return catalogue
    }()

    public init(csv: String) throws {
        var entries: [String: LEREntry] = [:]
        for (index, line) in csv.split(whereSeparator: \.isNewline).enumerated() where index > 0 {
            let fields = Self.fields(String(line))
            guard fields.count == 6 else { throw LERCodeError.malformed("line \(index + 1)") }
            let digits = fields[0].filter(\.isNumber)
            guard digits.count == 6 else { throw LERCodeError.malformed(fields[0]) }
            entries[digits] = LEREntry(
                code: digits, hazardous: fields[1] == "true", entryType: fields[2], chapterTitle: fields[3],
                subChapterTitle: fields[4], description: fields[5])
        }
        self.entries = entries
    }

    /// The entry for `text`: `170504`, `17 05 04` or `17 05 04*`. A `*` on a non-hazardous code is
    /// refused; a hazardous code without `*` is accepted (the flag comes from the list).
    public func entry(for text: String) throws(LERCodeError) -> LEREntry {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let starred = trimmed.hasSuffix("*")
        let body = starred ? String(trimmed.dropLast()) : trimmed
        let digits = body.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              body.allSatisfy({ $0.isNumber || $0 == " " })
        else { throw .malformed(text) }
        guard let entry = entries[digits] else { throw .unknown(digits) }
        if starred, !entry.hazardous { throw .hazardMarkMismatch(entry.display) }
        return entry
    }

    /// Splits one CSV line, with double-quoted fields that may hold commas.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case "\"" where quoted:
                quoted = false
            case "\"":
                quoted = true
            case "," where !quoted:
                fields.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
