import EcoConfig
import EcoModel
import Hummingbird

/// Lists from the matcher workers, which hold the materials market in parts (docs/decisions/0016):
/// every worker is asked for the first `offset + limit` items of its share, and the shares are
/// merged in the list's order. The workers asked are those heard in the last seconds, which hold the
/// parts (or the configured ones, before any is heard). A worker asked that does not answer makes
/// the list unavailable (503), never silently shorter.
struct MatcherLists: Sendable {
    /// How deep a list goes: offset plus limit, at most.
    static let deepest = 1000
    let services: ServiceCaller
    let workers: [Int]

    func page<Item: Codable & Sendable>(
        _ kind: String, offset: Int, limit: Int, request: @escaping @Sendable (_ first: Int) -> some Encodable & Sendable,
        inOrder: @escaping @Sendable (Item, Item) -> Bool
    ) async throws -> ProposalRequests.Page<Item> {
        guard offset + limit <= Self.deepest else {
            throw APIError(.badRequest, code: "invalid_field", message: "this list goes \(Self.deepest) items deep at most", field: "cursor")
        }
        let services = self.services
        let shares = try await withThrowingTaskGroup(of: ProposalRequests.Page<Item>.self) { group in
            for index in workers {
                group.addTask {
                    do {
                        return try await services.call(ServiceInstance(.matcher, index: index), kind, request(offset + limit), as: ProposalRequests.Page<Item>.self)
                    } catch let error as APIError where error.body.code == "unavailable" {
                        throw APIError(.serviceUnavailable, code: "unavailable", message: "matcher-\(index) did not answer; the list would be incomplete, try again")
                    }
                }
            }
            var shares: [ProposalRequests.Page<Item>] = []
            for try await share in group { shares.append(share) }
            return shares
        }
        let merged = shares.flatMap(\.items).sorted(by: inOrder)
        return ProposalRequests.Page(items: Array(merged.dropFirst(offset).prefix(limit)), total: shares.reduce(0) { $0 + $1.total })
    }
}
