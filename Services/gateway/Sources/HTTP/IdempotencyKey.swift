import Crypto
import Foundation
import HTTPTypes

/// The `Idempotency-Key` request header of a command (the IETF httpapi draft
/// "The Idempotency-Key HTTP Header Field"): a client that sends the same key again, after a lost
/// answer or a 503, gets the same outcome and no second effect.
///
/// The gateway turns the key into the id of what the command creates, scoped to the account, so it
/// keeps no table of keys: the service that owns the thing answers a known id with what it already
/// made, and a known id sent with a different body with `idempotency_mismatch` (422).
public struct IdempotencyKey: Sendable, Equatable {
    public static let field = HTTPField.Name("Idempotency-Key")!
    /// The longest key accepted, in bytes.
    public static let maximumLength = 255

    public let value: String

    public init(value: String) { self.value = value }

    /// The key of `fields`, or nil if the header is absent. The value may be a structured-field
    /// string (`"…"`, as the draft writes it) or the bare text; it must be printable ASCII.
    public static func from(_ fields: HTTPFields) throws(APIError) -> IdempotencyKey? {
        let values = fields[values: field]
        guard let raw = values.first else { return nil }
        guard values.count == 1 else { throw APIError.invalid(field.rawName, "send one Idempotency-Key header, not \(values.count)") }
        var text = Substring(raw)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        guard (1...maximumLength).contains(text.utf8.count), text.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw APIError.invalid(field.rawName, "Idempotency-Key is 1 to \(maximumLength) printable ASCII characters, without spaces")
        }
        return IdempotencyKey(value: String(text))
    }

    /// The id for what the command creates: a UUID (version 8, RFC 9562) from SHA-256 over the kind
    /// of thing, the account and the key, so that two accounts' keys never meet.
    public func id(for scope: String, account: String) -> String {
        var hash = SHA256()
        for part in [scope, account, value] {
            hash.update(data: Data(part.utf8))
            hash.update(data: Data([0]))
        }
        var bytes = Array(hash.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return uuid.uuidString.lowercased()
    }

    /// The id a command creates: from the request's key when it has one, a fresh one otherwise.
    public static func mintID(_ fields: HTTPFields, scope: String, account: String) throws(APIError) -> String {
        try from(fields)?.id(for: scope, account: account) ?? UUID().uuidString.lowercased()
    }
}
