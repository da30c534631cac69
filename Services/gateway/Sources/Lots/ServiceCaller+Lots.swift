import EcoBus
import EcoConfig
import EcoModel
import Foundation

extension ServiceCaller {
    /// Sends a command or query about a food lot to the worker that holds it (docs/decisions/0017).
    /// A worker that no longer holds the lot names its holder, which is asked once. A lot on its way
    /// between workers (a relay round trip, usually) is asked again for up to `movingPatience`, then
    /// answered as a 503 with `Retry-After`.
    public func call<Reply: Decodable>(
        lot lotId: String, holders: LotHolderDirectory, _ kind: String, _ request: some Encodable, as: Reply.Type = Reply.self
    ) async throws -> Reply {
        let body = [try EventCodec.encoder.encode(request)]
        var instance = holders.holder(of: lotId)
        var redirected = false
        let patience = ContinuousClock.now + Self.movingPatience
        while true {
            let frames: [Data]
            do {
                frames = try await loop.request(topology.routerEndpoint(of: instance), kind: kind, body: body, timeout: timeout)
            } catch .remote(let refusal) where refusal.code == RemoteError.heldElsewhereCode && !redirected {
                guard let holder = refusal.redirect.flatMap(ServiceInstance.init(name:)), holder.kind == .matcher, holder != instance else {
                    throw Self.translate(.remote(refusal), instance: instance)
                }
                instance = holder
                redirected = true
                continue
            } catch .remote(let refusal) where refusal.code == RemoteError.movingCode && ContinuousClock.now < patience {
                try await Task.sleep(for: .milliseconds(25))
                continue
            } catch {
                throw Self.translate(error, instance: instance)
            }
            guard let first = frames.first, let reply = try? EventCodec.decoder.decode(Reply.self, from: first) else {
                throw APIError(.badGateway, code: "upstream_error", message: "\(instance.name) sent an unreadable answer")
            }
            return reply
        }
    }

    /// How long a command waits for a lot that is moving between workers before it is answered 503.
    static let movingPatience: Duration = .milliseconds(1500)
}
