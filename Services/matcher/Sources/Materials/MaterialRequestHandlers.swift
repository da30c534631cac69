import EcoBus
import EcoModel
import Foundation
import GRDB

/// A matcher worker's answers about the materials exchange, from the market parts it holds
/// (docs/decisions/0016): the gateway asks every worker for lists and merges them.
public struct MaterialRequestHandlers: Sendable {
    /// As deep as the gateway merges the workers' lists (`MatcherLists.deepest`).
    public static let maximumPageSize = 1000
    let database: DatabasePool

    public init(database: DatabasePool) { self.database = database }

    public var handlers: [String: RequestHandler] {
        [
            ProposalRequests.get: { body in
                let request = try RemoteError.decodeRequest(ProposalRequests.Get.self, body)
                let proposal = try await database.read { db in try SQLiteLedgerStore(db).proposal(request.proposalId, visibleTo: request.viewer) }
                guard let proposal else { throw RemoteError.notFound("no proposal \(request.proposalId)") }
                return [try EventCodec.encoder.encode(proposal)]
            },
            ProposalRequests.listForAccount: { body in
                let request = try RemoteError.decodeRequest(ProposalRequests.ListForAccount.self, body)
                let page = try await database.read { db in try Self.proposals(for: request, db) }
                return [try EventCodec.encoder.encode(page)]
            },
            ProposalRequests.sharedFeed: { body in
                let request = try RemoteError.decodeRequest(ProposalRequests.SharedFeed.self, body)
                let page = try await database.read { db in try Self.shared(request, db) }
                return [try EventCodec.encoder.encode(page)]
            },
        ]
    }

    static func limit(_ requested: Int) -> Int { min(max(requested, 1), maximumPageSize) }

    /// The proposals where the account (or one of its organisations) gives or takes, newest first.
    static func proposals(for request: ProposalRequests.ListForAccount, _ db: Database) throws -> ProposalRequests.Page<MaterialProposal> {
        let organisations = request.organisationIds.isEmpty ? "" : " OR giver_organisation_id IN (\(databaseQuestionMarks(count: request.organisationIds.count)))"
            + " OR taker_organisation_id IN (\(databaseQuestionMarks(count: request.organisationIds.count)))"
        let filter = "WHERE giver_id = ? OR taker_id = ?" + organisations
        var arguments: [any DatabaseValueConvertible] = [request.accountId, request.accountId]
        if !request.organisationIds.isEmpty { arguments += request.organisationIds + request.organisationIds }
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM material_proposals " + filter, arguments: StatementArguments(arguments)) ?? 0
        let bodies = try Data.fetchAll(
            db, sql: "SELECT body FROM material_proposals " + filter + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
            arguments: StatementArguments(arguments + [limit(request.limit), max(0, request.offset)]))
        return ProposalRequests.Page(items: try bodies.map { try EventCodec.decoder.decode(MaterialProposal.self, from: $0) }, total: total)
    }

    /// The community feed: shared listings with something left, most recently shared first.
    static func shared(_ request: ProposalRequests.SharedFeed, _ db: Database) throws -> ProposalRequests.Page<ProposalRequests.SharedItem> {
        let now = Date().timeIntervalSinceReferenceDate
        let filter = "WHERE shared_at IS NOT NULL AND remaining_kg > 0 AND available_until > ?"
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM material_listings " + filter, arguments: [now]) ?? 0
        let rows = try Row.fetchAll(
            db, sql: "SELECT remaining_kg, shared_at, body FROM material_listings " + filter + " ORDER BY shared_at DESC, id LIMIT ? OFFSET ?",
            arguments: [now, limit(request.limit), max(0, request.offset)])
        let items = try rows.map { row in
            ProposalRequests.SharedItem(
                listing: try EventCodec.decoder.decode(Listing.self, from: row["body"] as Data), remainingKg: row["remaining_kg"],
                sharedAt: Date(timeIntervalSinceReferenceDate: row["shared_at"]))
        }
        return ProposalRequests.Page(items: items, total: total)
    }
}
