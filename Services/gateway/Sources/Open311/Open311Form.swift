import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, as Open311 clients POST requests: names to values,
/// each name given once.
package struct Open311Form: Sendable {
    /// Open311 filings are text only (photos travel by `media_url`), so a small limit suffices.
    static let bodyLimit = 64 << 10

    package enum Failure: Error, Equatable {
        case notForm
        case tooLarge
        case malformed(String)
        case repeated(String)
    }

    package let fields: [String: String]

    init(fields: [String: String]) { self.fields = fields }

    subscript(name: String) -> String? { fields[name] }

    static func read(_ request: Request) async throws(Failure) -> Open311Form {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else { throw .notForm }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: bodyLimit) } catch { throw .tooLarge }
        return try parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    package static func parse(_ text: String) throws(Failure) -> Open311Form {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw .malformed(String(pair.prefix(40)))
            }
            guard fields[name] == nil else { throw .repeated(name) }
            fields[name] = value
        }
        return Open311Form(fields: fields)
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

extension Open311Form.Failure {
    var status: HTTPResponse.Status {
        switch self {
        case .notForm: .unsupportedMediaType
        case .tooLarge: .contentTooLarge
        case .malformed, .repeated: .badRequest
        }
    }

    var message: String {
        switch self {
        case .notForm: "send the request as application/x-www-form-urlencoded"
        case .tooLarge: "the form may be at most \(Open311Form.bodyLimit >> 10) KiB; send photos by media_url"
        case .malformed(let pair): "the form has a malformed field near '\(pair)'"
        case .repeated(let name): "\(name) is given more than once"
        }
    }
}
