import Foundation

extension RemoteError {
    /// Decodes the first body frame of a request as `T`, or refuses it with `bad_request`.
    public static func decodeRequest<T: Decodable>(_ type: T.Type, _ body: [Data]) throws(RemoteError) -> T {
        guard let first = body.first, let value = try? EventCodec.decoder.decode(T.self, from: first) else {
            throw RemoteError.badRequest("body must be one JSON \(T.self)")
        }
        return value
    }
}
