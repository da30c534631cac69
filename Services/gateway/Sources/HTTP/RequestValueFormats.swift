import Foundation

/// How request bodies spell values JSON has no type for, and how a number that does not fit its
/// field is traced back to the field (Foundation's decoder reports it without a path).
enum RequestValueFormats {
    /// What a date field says it expects.
    static let dateExpectation = "an ISO 8601 date-time such as 2027-06-30T00:00:00Z (a date alone, 2027-06-30, means midnight UTC)"

    /// Accepts `2027-06-30T08:00:00Z`, with fractional seconds or an offset, and a bare date as midnight UTC.
    @Sendable static func decodeDate(_ decoder: any Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if let date = parseDate(text) { return date }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: dateExpectation)
    }

    static func parseDate(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
        guard text.utf8.count == 10 else { return nil }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        dateOnly.timeZone = .gmt
        return dateOnly.date(from: text)
    }

    /// The field whose number the target type cannot hold (a fraction for a whole number, or one
    /// out of range), found by putting a plain 0 in each suspect number until decoding gets past it.
    static func unfittingNumberField<T: Decodable>(in body: Data, decoding type: T.Type, with decoder: JSONDecoder) -> String? {
        guard let tree = try? JSONSerialization.jsonObject(with: body) else { return nil }
        for path in suspectNumbers(tree, path: []) {
            guard let replaced = try? JSONSerialization.data(withJSONObject: replacing(tree, at: path[...])) else { continue }
            do {
                _ = try decoder.decode(T.self, from: replaced)
                return display(path)
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                continue
            } catch {
                return display(path)
            }
        }
        return nil
    }

    private enum Step { case key(String), index(Int) }

    private static func suspectNumbers(_ value: Any, path: [Step]) -> [[Step]] {
        switch value {
        case let object as [String: Any]:
            return object.keys.sorted().flatMap { suspectNumbers(object[$0]!, path: path + [.key($0)]) }
        case let array as [Any]:
            return array.enumerated().flatMap { suspectNumbers($1, path: path + [.index($0)]) }
        case let number as NSNumber where !(value is String):
            let double = number.doubleValue
            return double.rounded() != double || abs(double) >= 9.0e15 ? [path] : []
        default:
            return []
        }
    }

    private static func replacing(_ value: Any, at path: ArraySlice<Step>) -> Any {
        guard let step = path.first else { return 0 }
        switch (step, value) {
        case (.key(let key), var object as [String: Any]):
            object[key] = object[key].map { replacing($0, at: path.dropFirst()) }
            return object
        case (.index(let index), var array as [Any]) where array.indices.contains(index):
            array[index] = replacing(array[index], at: path.dropFirst())
            return array
        default:
            return value
        }
    }

    private static func display(_ path: [Step]) -> String {
        path.reduce(into: "") { text, step in
            switch step {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
    }
}
