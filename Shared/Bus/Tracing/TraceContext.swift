import Foundation
import Logging

/// W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/): the id that follows one
/// HTTP request through every process it reaches (docs/decisions/0018). The gateway takes a
/// caller's valid `traceparent` or starts a trace; bus requests and the events a command causes
/// carry it on, and every log line written while it is current names its trace id as
/// `correlation.id`.
public struct TraceContext: Sendable, Equatable, CustomStringConvertible {
    /// 32 lowercase hexadecimal digits, not all zero: the id to grep for.
    public let traceID: String
    /// 16 lowercase hexadecimal digits, not all zero: the span of whoever sent this context.
    public let parentID: String
    /// The trace flags: bit 0, sampled, is the only one kept (the specification's other bits are
    /// reserved and must be sent as zero).
    public let flags: UInt8

    /// The context current in this task (or on this thread, inside a synchronous `withValue`).
    @TaskLocal public static var current: TraceContext?

    /// A new trace, sampled, with fresh random ids.
    public static func start() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), parentID: randomHex(bytes: 8), flags: 1)
    }

    /// The same trace, continued by a new span of this process (what it sends on).
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, parentID: Self.randomHex(bytes: 8), flags: flags)
    }

    /// Parses a `traceparent` value; nil for anything the specification says to ignore: a version
    /// other than two hexadecimal digits or `ff`, uppercase digits, all-zero ids, a wrong length.
    /// A version above `00` is read as `00` if it starts the same way (the specification's rule for
    /// versions it does not know yet).
    public init?(traceparent value: String) {
        let bytes = Array(value.utf8)
        guard bytes.count >= 55, Self.isHex(bytes[0..<2]), !(bytes[0] == UInt8(ascii: "f") && bytes[1] == UInt8(ascii: "f")) else { return nil }
        let version00 = bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "0")
        guard version00 ? bytes.count == 55 : (bytes.count == 55 || bytes[55] == UInt8(ascii: "-")) else { return nil }
        guard bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
              Self.isHex(bytes[3..<35]), Self.isHex(bytes[36..<52]), Self.isHex(bytes[53..<55]),
              bytes[3..<35].contains(where: { $0 != UInt8(ascii: "0") }), bytes[36..<52].contains(where: { $0 != UInt8(ascii: "0") }),
              let flags = UInt8(String(decoding: bytes[53..<55], as: UTF8.self), radix: 16)
        else { return nil }
        self.init(traceID: String(decoding: bytes[3..<35], as: UTF8.self), parentID: String(decoding: bytes[36..<52], as: UTF8.self), flags: flags & 0x01)
    }

    private init(traceID: String, parentID: String, flags: UInt8) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// The `traceparent` value, version `00`.
    public var traceparent: String {
        let hexFlags = String(flags, radix: 16)
        return "00-\(traceID)-\(parentID)-\(hexFlags.count == 1 ? "0" + hexFlags : hexFlags)"
    }

    public var description: String { traceparent }

    /// What every log line carries while a context is current: `correlation.id`, its trace id.
    public static let loggingMetadata = Logger.MetadataProvider {
        guard let current = TraceContext.current else { return [:] }
        return ["correlation.id": .string(current.traceID)]
    }

    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// `count` random bytes (a multiple of 8) as lowercase hexadecimal, never all zeros: one
    /// random word per 8 bytes, as each word costs the system's generator one call.
    private static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var digits = [UInt8](repeating: 0, count: count * 2)
        repeat {
            for word in 0..<(count / 8) {
                var value = generator.next()
                for index in stride(from: word * 16 + 15, through: word * 16, by: -1) {
                    digits[index] = hexDigits[Int(value & 0xF)]
                    value >>= 4
                }
            }
        } while digits.allSatisfy { $0 == UInt8(ascii: "0") }
        return String(decoding: digits, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
