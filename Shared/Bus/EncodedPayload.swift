import Foundation

/// A payload's JSON, encoded once with `EventCodec.encoder`, for a producer that also stores it
/// (`Outbox.append(_:_:)` with an `EncodedPayload` writes it into the event as it is).
public struct EncodedPayload<Payload: Codable & Sendable>: Sendable {
    /// The payload's JSON, as `EventCodec.encoder` writes it.
    public let json: Data

    /// Encodes `payload`.
    public init(_ payload: Payload) throws { json = try EventCodec.encoder.encode(payload) }

    /// A payload made of one member, `key`, whose value is `member`'s JSON: for an event that wraps
    /// a record already encoded for its row (`{"proposal": …}`).
    public init<Member>(wrapping member: EncodedPayload<Member>, as key: String) {
        var out = Data(#"{"#.utf8)
        out.append(contentsOf: Self.jsonString(key).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(member.json)
        out.append(UInt8(ascii: "}"))
        json = out
    }

    /// A payload made of `rest`'s members and one more, `key`, whose value is `member`'s JSON: for
    /// an event that carries a record already encoded for its row beside a few fields of its own
    /// (`{"reason": …, "reservation": …}`). `rest` must encode as a JSON object without `key`, in a
    /// fixed order: a struct, or a dictionary of one member (a larger dictionary's order varies).
    public init<Member, Rest: Encodable>(wrapping member: EncodedPayload<Member>, as key: String, besides rest: Rest) throws {
        var out = try EventCodec.encoder.encode(rest)
        guard out.first == UInt8(ascii: "{"), out.last == UInt8(ascii: "}") else {
            throw EncodingError.invalidValue(rest, .init(codingPath: [], debugDescription: "the members beside \(key) must encode as a JSON object"))
        }
        out.removeLast()
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: Self.jsonString(key).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(member.json)
        out.append(UInt8(ascii: "}"))
        json = out
    }

    /// `text` as a JSON string literal.
    private static func jsonString(_ text: String) -> String {
        var out: [UInt8] = []
        CloudEventWriter.appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The data of the envelope an `Outbox` lays out before writing an encoded payload into it.
struct EncodedPayloadMark: Codable, Sendable {}
