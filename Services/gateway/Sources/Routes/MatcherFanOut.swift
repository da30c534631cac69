import EcoConfig
import EcoModel

/// Asks every matcher worker that holds food lots, the members of the latest tick the gateway heard
/// (`LotHolderDirectory.workers`), in parallel, and gathers their answers in worker order: the
/// lists that span all lots (`/v1/me/reservations`, `/v1/missions`). A member that does not answer
/// makes the whole answer a 503, never a list with a part missing. A worker that left the members
/// is not asked: its lots were handed over, or await it or its release (docs/decisions/0017).
struct MatcherFanOut: Sendable {
    let services: ServiceCaller
    let holders: LotHolderDirectory

    func gather<Reply: Decodable & Sendable>(_ kind: String, _ request: some Encodable & Sendable, as: Reply.Type) async throws -> [Reply] {
        let services = self.services
        return try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
            for index in holders.workers {
                group.addTask {
                    do {
                        return (index, try await services.call(ServiceInstance(.matcher, index: index), kind, request, as: Reply.self))
                    } catch let error as APIError where error.body.code == "unavailable" {
                        throw APIError(.serviceUnavailable, code: "unavailable", message: "matcher-\(index) did not answer; the list would be incomplete, try again")
                    }
                }
            }
            var replies: [(Int, Reply)] = []
            for try await reply in group { replies.append(reply) }
            return replies.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
