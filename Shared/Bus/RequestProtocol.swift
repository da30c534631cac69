import Foundation

/// The request/reply wire format between a DEALER (the asker) and a service's ROUTER.
///
/// Request frames: `[request id (8 bytes, big-endian), kind (UTF-8, optionally followed by
/// attributes: `RequestKindFrame`), body…]`.
/// Reply frames: `[request id, status ("ok" or "error"), body…]`; an error body is one JSON frame
/// `{"code": …, "message": …}`.
public enum RequestProtocol {
    public static let ok = Data("ok".utf8)
    public static let error = Data("error".utf8)

    public static func encodeID(_ id: UInt64) -> Data {
        withUnsafeBytes(of: id.bigEndian) { Data($0) }
    }

    public static func decodeID(_ data: Data) -> UInt64? {
        guard data.count == 8 else { return nil }
        return data.reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

/// An error body sent back in a reply.
public struct RemoteError: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var code: String
    public var message: String
    /// The input field at fault, when there is one.
    public var field: String?
    /// The instance that answers instead, when the request reached one that no longer holds what it
    /// asks about (a food lot moved to another worker: `heldElsewhereCode`).
    public var redirect: String?

    public init(code: String, message: String, field: String? = nil, redirect: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.redirect = redirect
    }

    public var description: String { "\(code): \(message)" + (field.map { " (\($0))" } ?? "") }

    public static func invalid(_ field: String, _ message: String) -> RemoteError {
        RemoteError(code: "invalid_field", message: message, field: field)
    }

    public static func notFound(_ message: String) -> RemoteError { RemoteError(code: "not_found", message: message) }
    public static func forbidden(_ message: String) -> RemoteError { RemoteError(code: "forbidden", message: message) }
    public static func conflict(_ message: String) -> RemoteError { RemoteError(code: "conflict", message: message) }
    public static func badRequest(_ message: String) -> RemoteError { RemoteError(code: "bad_request", message: message) }
    /// The command's id is already taken by a different command (an `Idempotency-Key` sent again with another body).
    public static func idempotencyMismatch(_ message: String) -> RemoteError { RemoteError(code: idempotencyMismatchCode, message: message) }
    public static let idempotencyMismatchCode = "idempotency_mismatch"
    /// Another instance holds what was asked about; `redirect` names it (docs/decisions/0017).
    public static func heldElsewhere(_ message: String, by instance: String) -> RemoteError {
        RemoteError(code: heldElsewhereCode, message: message, redirect: instance)
    }
    public static let heldElsewhereCode = "held_elsewhere"
    /// What was asked about is moving between instances: ask again in a moment.
    public static func moving(_ message: String) -> RemoteError { RemoteError(code: movingCode, message: message) }
    public static let movingCode = "moving"
    /// A service this one needed did not answer: ask again later.
    public static func unavailable(_ message: String) -> RemoteError { RemoteError(code: unavailableCode, message: message) }
    public static let unavailableCode = "unavailable"
}

/// Why a request to another service did not get a good answer.
public enum BusRequestError: Error, Equatable, CustomStringConvertible {
    /// No reply within the timeout: the service is down, slow or unreachable.
    case timeout(endpoint: String, kind: String)
    /// The service answered with an error.
    case remote(RemoteError)
    /// The reply could not be read.
    case malformedReply(String)
    /// The socket loop has stopped.
    case closed
    /// The request could not be queued (the peer's queue is full).
    case unavailable(endpoint: String)

    public var description: String {
        switch self {
        case .timeout(let endpoint, let kind): "no reply from \(endpoint) to \(kind) in time"
        case .remote(let error): "remote error \(error)"
        case .malformedReply(let detail): "malformed reply: \(detail)"
        case .closed: "bus socket loop stopped"
        case .unavailable(let endpoint): "cannot send to \(endpoint)"
        }
    }
}

/// A request received on a ROUTER socket, to be answered with `SocketLoop.reply`.
public struct IncomingRequest: Sendable {
    public let identity: Data
    public let requestID: Data
    public let kind: String
    public var body: [Data]
    /// The asker's authenticated name on a bus with keys (ZAP `User-Id`); nil on plain TCP.
    public var sender: String? = nil
    /// The trace the asker sent, if any: current while the request's handler runs.
    public var trace: TraceContext? = nil
}
