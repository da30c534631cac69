import Foundation

/// Writes a CloudEvent's JSON with the envelope laid out by hand and only `data` through
/// `JSONEncoder`: the outbox does this once per event, and the generic encoder spends most of its
/// time on the envelope. The output decodes as `CloudEvent<Payload>` (tests check both agree).
public enum CloudEventWriter {
    public static func encode<Payload: Encodable>(_ event: CloudEvent<Payload>) throws -> Data {
        encode(envelopeOf: event, dataJSON: try EventCodec.encoder.encode(event.data))
    }

    /// `event`'s envelope around `data`, the JSON of its payload already encoded (`event.data` is
    /// not read).
    static func encode<Payload>(envelopeOf event: CloudEvent<Payload>, dataJSON data: Data) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 320)
        out.append(contentsOf: #"{"specversion":"#.utf8)
        appendString(event.specversion, to: &out)
        out.append(contentsOf: #","id":"#.utf8)
        appendString(event.id, to: &out)
        out.append(contentsOf: #","source":"#.utf8)
        appendString(event.source, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        appendString(event.type, to: &out)
        out.append(contentsOf: #","time":"#.utf8)
        appendString(event.time, to: &out)
        if let contentType = event.datacontenttype {
            out.append(contentsOf: #","datacontenttype":"#.utf8)
            appendString(contentType, to: &out)
        }
        if let sequence = event.sequence {
            out.append(contentsOf: #","sequence":"#.utf8)
            out.append(contentsOf: String(sequence).utf8)
        }
        if let correlation = event.correlationid {
            out.append(contentsOf: #","correlationid":"#.utf8)
            appendString(correlation, to: &out)
        }
        if let causation = event.causationid {
            out.append(contentsOf: #","causationid":"#.utf8)
            appendString(causation, to: &out)
        }
        if let partition = event.partitionkey {
            out.append(contentsOf: #","partitionkey":"#.utf8)
            appendString(partition, to: &out)
        }
        if let traceparent = event.traceparent {
            out.append(contentsOf: #","traceparent":"#.utf8)
            appendString(traceparent, to: &out)
        }
        out.append(contentsOf: #","data":"#.utf8)
        out.append(contentsOf: data)
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x00..<0x20:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xF)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
