import Foundation

/// Finds the bytes of one member's value in a JSON object without decoding the object, so that a
/// consumer decodes an event's `data` (or one part of it) alone instead of the whole envelope
/// again, and keeps a published offer's JSON as it came instead of encoding it anew.
///
/// The scan is structural only: it follows strings (with their escapes), objects and arrays, and
/// takes any other value up to the next delimiter. It answers nil, and the caller falls back to a
/// full decode, whenever the answer could differ from what `JSONDecoder` would see: the text is not
/// an object, the member is missing, its name is written with escapes, or it appears twice. It
/// never validates the value itself; the decoder that reads the span does.
public enum JSONMemberSpan {
    /// The range of `name`'s value in the top-level object `json`, or nil (see above).
    public static func value(of name: String, in json: Data) -> Range<Data.Index>? {
        let key = Array(name.utf8)
        return json.withUnsafeBytes { raw -> Range<Int>? in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            return scanner.member(key)
        }.map { (json.startIndex + $0.lowerBound)..<(json.startIndex + $0.upperBound) }
    }

    /// The value's bytes as their own `Data`, or nil.
    public static func bytes(of name: String, in json: Data) -> Data? {
        value(of: name, in: json).map { Data(json[$0]) }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        private static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
        private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
        private static let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        /// Scans the whole object; the one range of `key`'s value, or nil.
        mutating func member(_ key: [UInt8]) -> Range<Int>? {
            skipWhitespace()
            guard current == Self.openBrace else { return nil }
            position += 1
            skipWhitespace()
            if current == Self.closeBrace { return nil }
            var found: Range<Int>?
            while true {
                skipWhitespace()
                guard let name = string() else { return nil }
                skipWhitespace()
                guard current == Self.colon else { return nil }
                position += 1
                skipWhitespace()
                let start = position
                guard skipValue() else { return nil }
                if name.escaped {
                    // A name with escapes could spell the key; let the decoder decide.
                    if bytes[name.range].count >= key.count { return nil }
                } else if bytes[name.range].elementsEqual(key) {
                    guard found == nil else { return nil }
                    found = start..<position
                }
                skipWhitespace()
                switch current {
                case Self.comma: position += 1
                case Self.closeBrace: return found
                default: return nil
                }
            }
        }

        /// A string's contents (without its quotes), and whether it holds an escape.
        mutating func string() -> (range: Range<Int>, escaped: Bool)? {
            guard current == Self.quote else { return nil }
            position += 1
            let start = position
            var escaped = false
            while let byte = current {
                if byte == Self.quote {
                    position += 1
                    return (start..<(position - 1), escaped)
                }
                if byte == Self.backslash {
                    escaped = true
                    position += 1
                }
                position += 1
            }
            return nil
        }

        /// Steps over one value; false if the text ends first or the nesting does not close.
        mutating func skipValue() -> Bool {
            guard let first = current else { return false }
            if first == Self.quote { return string() != nil }
            if first == Self.openBrace || first == Self.openBracket {
                var depth = 0
                while let byte = current {
                    switch byte {
                    case Self.quote:
                        guard string() != nil else { return false }
                        continue
                    case Self.openBrace, Self.openBracket:
                        depth += 1
                    case Self.closeBrace, Self.closeBracket:
                        depth -= 1
                        if depth == 0 {
                            position += 1
                            return true
                        }
                    default:
                        break
                    }
                    position += 1
                }
                return false
            }
            let start = position
            while let byte = current, byte != Self.comma, byte != Self.closeBrace, byte != Self.closeBracket,
                byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 {
                position += 1
            }
            return position > start
        }
    }
}
