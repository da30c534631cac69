import Foundation
import Hummingbird

/// Reads a JSON request body into `T`, answering bad input with a 4xx that names the field.
public enum RequestBody {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom(RequestValueFormats.decodeDate)
        return decoder
    }()

    /// - Parameter limit: the largest body accepted, in bytes; the context's upload limit by default.
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: GatewayRequestContext, limit: Int? = nil) async throws -> T {
        let limit = limit ?? context.maxUploadSize
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the body may be at most \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "invalid_body", message: "a JSON body is required")
        }
        let data = Data(buffer.readableBytesView)
        let value: T
        do {
            value = try decoder.decode(T.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // Valid JSON whose number does not fit its field: Foundation gives no path, so find it.
            guard let field = RequestValueFormats.unfittingNumberField(in: data, decoding: T.self, with: decoder) else {
                throw APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON")
            }
            throw APIError(.badRequest, code: "invalid_field", message: "\(field) must be a whole number within range", field: field)
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON")
        }
        if let field = try unknownField(in: data, decodedAs: value) {
            throw APIError(.badRequest, code: "unknown_field", message: "\(field) is not a field of this request; see /openapi.json", field: field)
        }
        if let sent = try? JSONSerialization.jsonObject(with: data), let field = controlCharacterField(sent, path: "") {
            throw APIError(.badRequest, code: "invalid_field", message: "\(field) contains a control character; only line breaks and tabs are allowed", field: field)
        }
        return value
    }

    /// The first field of the body that the decoded value does not have: decoding is strict, so
    /// that a misspelt or unsupported field is refused rather than silently dropped. The value is
    /// encoded again and the two JSON trees compared; a field sent as null is taken as absent.
    static func unknownField(in body: Data, decodedAs value: some Decodable) throws -> String? {
        guard let encodable = value as? any Encodable,
              let sent = try? JSONSerialization.jsonObject(with: body),
              let known = try? JSONSerialization.jsonObject(with: JSONResponse.encoder.encode(encodable))
        else { return nil }
        return unknownField(sent, known, path: "")
    }

    /// The first text field holding a control character other than a line break or a tab (a NUL
    /// would be stored and shown as it is).
    static func controlCharacterField(_ sent: Any, path: String) -> String? {
        switch sent {
        case let text as String:
            let refused = text.unicodeScalars.contains { ($0.value < 0x20 && !["\n", "\r", "\t"].contains($0)) || $0.value == 0x7F }
            return refused ? (path.isEmpty ? "body" : path) : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let field = controlCharacterField(object[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return field }
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let field = controlCharacterField(element, path: "\(path)[\(index)]") { return field }
            }
        default:
            break
        }
        return nil
    }

    private static func unknownField(_ sent: Any, _ known: Any, path: String) -> String? {
        switch (sent, known) {
        case (let sent as [String: Any], let known as [String: Any]):
            for key in sent.keys.sorted() where !(sent[key] is NSNull) {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = known[key] else { return field }
                if let inner = unknownField(sent[key]!, knownValue, path: field) { return inner }
            }
        case (let sent as [Any], let known as [Any]) where sent.count == known.count:
            for (index, element) in sent.enumerated() {
                if let inner = unknownField(element, known[index], path: "\(path)[\(index)]") { return inner }
            }
        default:
            break
        }
        return nil
    }

    /// A 400 naming the field that failed to decode.
    static func describe(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context, adding key: CodingKey? = nil) -> String? {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? nil : joined.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context, adding: key) ?? key.stringValue
            return APIError(.badRequest, code: "missing_field", message: "\(field) is required", field: field)
        case .typeMismatch(let type, let context):
            return APIError(.badRequest, code: "invalid_field", message: "\(path(context) ?? "body") must be \(describe(type))", field: path(context))
        case .valueNotFound(let type, let context):
            return APIError(.badRequest, code: "invalid_field", message: "\(path(context) ?? "body") must be \(describe(type)), not null", field: path(context))
        case .dataCorrupted(let context):
            if let field = path(context) {
                let message = context.debugDescription == RequestValueFormats.dateExpectation
                    ? "\(field) must be \(RequestValueFormats.dateExpectation)"
                    : AllowedValues.message(forDecodingFailure: context.debugDescription, field: field)
                        ?? "\(field) has an invalid value: \(context.debugDescription)"
                return APIError(.badRequest, code: "invalid_field", message: message, field: field)
            }
            return APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON")
        @unknown default:
            return APIError(.badRequest, code: "invalid_body", message: "the body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is Date.Type: RequestValueFormats.dateExpectation
        default: "of the documented type"
        }
    }
}
