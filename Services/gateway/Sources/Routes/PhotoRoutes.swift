import EcoBus
import EcoConfig
import EcoModel
import Foundation
import Hummingbird

/// Lot and listing photos: merchants upload them (JPEG, PNG or WebP, up to 5 MiB, five each); anyone
/// reads them by content hash.
public struct PhotoRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    static let ingest = ServiceInstance(.ingest)
    static let maximumBytes = 5 << 20

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: merchant (the lot's own, or a member of its organisation), admin.
        router.post("/v1/lots/:id/photos") { request, context in
            let principal = try context.require([.merchant, .admin])
            let (type, bytes) = try await Self.upload(request)
            let actor = try await accounts.actor(for: principal)
            let command = LotRequests.AddPhoto(actor: actor, lotId: context.parameters.get("id") ?? "", contentType: type)
            return try JSONResponse.make(.created, try await send(LotRequests.addPhoto, command, bytes, as: Lot.self))
        }
        // Roles: merchant (the listing's publisher, or a member of its organisation), admin.
        router.post("/v1/listings/:id/photos") { request, context in
            let principal = try context.require([.merchant, .admin])
            let (type, bytes) = try await Self.upload(request)
            let actor = try await accounts.actor(for: principal)
            let command = ListingRequests.AddPhoto(actor: actor, listingId: context.parameters.get("id") ?? "", contentType: type)
            return try JSONResponse.make(.created, try await send(ListingRequests.addPhoto, command, bytes, as: Listing.self))
        }
        // Roles: public.
        router.get("/v1/photos/:hash") { _, context in
            let hash = context.parameters.get("hash") ?? ""
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else { throw APIError(.notFound, code: "not_found", message: "no photo \(hash)") }
            let reply = try await services.frames(Self.ingest, LotRequests.photo, [try EventCodec.encoder.encode(LotRequests.PhotoQuery(hash: hash))])
            guard reply.count == 2, let info = try? EventCodec.decoder.decode(LotRequests.PhotoInfo.self, from: reply[0]) else {
                throw APIError(.badGateway, code: "upstream_error", message: "ingest sent an unreadable answer")
            }
            return Response(
                status: .ok,
                headers: [.contentType: info.contentType, .cacheControl: "public, max-age=31536000, immutable", .eTag: "\"\(hash)\""],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply[1])))
        }
    }

    /// The declared type and the bytes of an uploaded photo, at most 5 MiB.
    static func upload(_ request: Request) async throws -> (String, Data) {
        guard let type = request.headers[.contentType]?.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the photo as image/jpeg, image/png or image/webp")
        }
        do {
            let buffer = try await request.body.collect(upTo: maximumBytes)
            return (type, Data(buffer.readableBytesView))
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "a photo may be at most 5 MiB")
        }
    }

    /// Sends the command frame and the photo's bytes to ingest; decodes its answer.
    func send<Command: Encodable, Reply: Decodable>(_ kind: String, _ command: Command, _ bytes: Data, as: Reply.Type) async throws -> Reply {
        let reply = try await services.frames(Self.ingest, kind, [try EventCodec.encoder.encode(command), bytes])
        guard let first = reply.first, let decoded = try? EventCodec.decoder.decode(Reply.self, from: first) else {
            throw APIError(.badGateway, code: "upstream_error", message: "ingest sent an unreadable answer")
        }
        return decoded
    }
}
