import EcoBus
import EcoModel
import Foundation

/// Ingest's answers to the gateway's lot requests.
public struct LotRequestHandlers: Sendable {
    let store: LotStore

    public init(store: LotStore) { self.store = store }

    public static let maximumRadiusKm = 100.0

    public var handlers: [String: RequestHandler] {
        [
            LotRequests.create: { body in
                let request = try Self.decode(LotRequests.Create.self, body)
                return [try EventCodec.encoder.encode(try await store.create(request.draft, by: request.actor))]
            },
            LotRequests.update: { body in
                let request = try Self.decode(LotRequests.Update.self, body)
                return [try EventCodec.encoder.encode(try await store.update(request))]
            },
            LotRequests.withdraw: { body in
                let request = try Self.decode(LotRequests.Withdraw.self, body)
                return [try EventCodec.encoder.encode(try await store.withdraw(request.lotId, by: request.actor))]
            },
            LotRequests.get: { body in
                let request = try Self.decode(LotRequests.Get.self, body)
                guard let lot = try await store.lot(id: request.lotId),
                      request.includeFree || !lot.isFree || lot.merchantId == request.viewerId
                else {
                    throw RemoteError.notFound("no lot \(request.lotId)")
                }
                return [try EventCodec.encoder.encode(lot)]
            },
            LotRequests.search: { body in
                let request = try Self.decode(LotRequests.Search.self, body)
                guard request.near.isValid else { throw RemoteError.invalid("lat", "lat and lon must be valid coordinates") }
                guard request.radiusKm > 0, request.radiusKm <= Self.maximumRadiusKm else {
                    throw RemoteError.invalid("radiusKm", "radiusKm must be above 0 and at most \(Int(Self.maximumRadiusKm))")
                }
                guard (1...200).contains(request.limit) else { throw RemoteError.invalid("limit", "limit must be between 1 and 200") }
                return [try EventCodec.encoder.encode(try await store.search(request))]
            },
        ]
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [Data]) throws(RemoteError) -> T {
        guard let first = body.first, let value = try? EventCodec.decoder.decode(T.self, from: first) else {
            throw RemoteError.badRequest("body must be one JSON \(T.self)")
        }
        return value
    }
}
