import EcoBus
import EcoModel
import Foundation

/// Ingest's answers to the gateway's lot requests.
public struct LotRequestHandlers: Sendable {
    let store: LotStore
    let photos: PhotoStore

    public init(store: LotStore, photos: PhotoStore) {
        self.store = store
        self.photos = photos
    }

    public static let maximumRadiusKm = 100.0

    public var handlers: [String: RequestHandler] {
        [
            LotRequests.create: { body in
                let request = try RemoteError.decodeRequest(LotRequests.Create.self, body)
                return [try EventCodec.encoder.encode(try await store.create(request.draft, by: request.actor))]
            },
            LotRequests.update: { body in
                let request = try RemoteError.decodeRequest(LotRequests.Update.self, body)
                return [try EventCodec.encoder.encode(try await store.update(request))]
            },
            LotRequests.withdraw: { body in
                let request = try RemoteError.decodeRequest(LotRequests.Withdraw.self, body)
                return [try EventCodec.encoder.encode(try await store.withdraw(request.lotId, by: request.actor))]
            },
            LotRequests.get: { body in
                let request = try RemoteError.decodeRequest(LotRequests.Get.self, body)
                guard let detail = try await store.detail(id: request.lotId),
                      request.includeFree || !detail.lot.isFree || detail.lot.merchantId == request.viewerId
                else {
                    throw RemoteError.notFound("no lot \(request.lotId)")
                }
                return [try EventCodec.encoder.encode(detail)]
            },
            LotRequests.listMine: { body in
                let request = try RemoteError.decodeRequest(LotRequests.ListMine.self, body)
                return [try EventCodec.encoder.encode(try await store.mine(request))]
            },
            LotRequests.addPhoto: { body in
                let request = try RemoteError.decodeRequest(LotRequests.AddPhoto.self, body)
                guard body.count == 2 else { throw RemoteError.badRequest("the photo's bytes follow the JSON frame") }
                try await store.requireEditable(request.lotId, by: request.actor)
                let photo = try photos.accept(body[1], declared: request.contentType)
                return [try EventCodec.encoder.encode(try await store.addPhoto(request, photo: photo))]
            },
            LotRequests.photo: { body in
                let request = try RemoteError.decodeRequest(LotRequests.PhotoQuery.self, body)
                guard let type = try await store.photoType(hash: request.hash), let data = photos.load(hash: request.hash) else {
                    throw RemoteError.notFound("no photo \(request.hash)")
                }
                return [try EventCodec.encoder.encode(LotRequests.PhotoInfo(hash: request.hash, contentType: type, bytes: data.count)), data]
            },
            LotRequests.search: { body in
                let request = try RemoteError.decodeRequest(LotRequests.Search.self, body)
                guard request.near.isValid else { throw RemoteError.invalid("lat", "lat and lon must be valid coordinates") }
                guard request.radiusKm > 0, request.radiusKm <= Self.maximumRadiusKm else {
                    throw RemoteError.invalid("radiusKm", "radiusKm must be above 0 and at most \(Int(Self.maximumRadiusKm))")
                }
                guard (1...200).contains(request.limit) else { throw RemoteError.invalid("limit", "limit must be between 1 and 200") }
                return [try await store.searchJSON(request)]
            },
        ]
    }
}
