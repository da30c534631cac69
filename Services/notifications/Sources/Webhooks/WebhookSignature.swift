import Crypto
import Foundation

/// The `EcoResupply-Signature` header of a webhook request: `t=<unix seconds>,v1=<hex HMAC-SHA256>`,
/// the HMAC keyed with the subscription's secret over `"<t>.<body>"`. Receivers recompute it over
/// the raw body, compare in constant time and refuse old timestamps (replays).
public enum WebhookSignature {
    public static let header = "EcoResupply-Signature"

    /// The header's value for `body` sent at `timestamp` (unix seconds).
    public static func header(secret: String, timestamp: Int64, body: Data) -> String {
        "t=\(timestamp),v1=\(hex(secret: secret, timestamp: timestamp, body: body))"
    }

    /// The lowercase hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with `secret`.
    public static func hex(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
