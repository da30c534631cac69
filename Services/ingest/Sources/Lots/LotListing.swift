import EcoBus
import EcoModel
import Foundation
import GRDB

/// A lot with its baskets left, and a merchant's own lots, newest first.
extension LotStore {
    /// Baskets of the lot not held by a reservation, as ingest last heard from the matcher.
    static func basketsLeft(_ lot: Lot, _ db: Database) throws -> Int {
        let held = try Int.fetchOne(
            db, sql: "SELECT COALESCE(SUM(baskets), 0) FROM lot_reservations WHERE lot_id = ? AND holds = 1", arguments: [lot.id]) ?? 0
        return max(0, lot.draft.baskets - held)
    }

    public func detail(id: String) async throws -> LotRequests.Detail? {
        try await database.read { db in
            try Self.load(id, db).map { LotRequests.Detail(lot: $0, basketsLeft: try Self.basketsLeft($0, db)) }
        }
    }

    /// The lots the actor published or that belong to one of their organisations, newest first;
    /// the cursor is the creation time and id of the last lot of the page before.
    public func mine(_ request: LotRequests.ListMine) async throws -> LotRequests.DetailPage {
        guard (1...200).contains(request.limit) else { throw RemoteError.invalid("limit", "limit must be between 1 and 200") }
        var owners = "merchant_id = ?"
        var arguments: StatementArguments = [request.actor.accountId]
        if !request.actor.organisationIds.isEmpty {
            owners += " OR organisation_id IN (\(request.actor.organisationIds.map { _ in "?" }.joined(separator: ", ")))"
            arguments += StatementArguments(request.actor.organisationIds)
        }
        var sql = "SELECT body, created_at FROM lots WHERE (\(owners))"
        if let status = request.status {
            sql += " AND status = ?"
            arguments += [status.rawValue]
        }
        if let cursor = request.cursor {
            let parts = cursor.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, EventTime.parse(parts[0]) != nil else { throw RemoteError.invalid("cursor", "cursor is not one this API gave") }
            sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            arguments += [parts[0], parts[0], parts[1]]
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [request.limit + 1]
        let found = try await database.read { [sql, arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row -> (LotRequests.Detail, String) in
                let lot = try EventCodec.decoder.decode(Lot.self, from: row["body"] as Data)
                return (LotRequests.Detail(lot: lot, basketsLeft: try Self.basketsLeft(lot, db)), row["created_at"])
            }
        }
        let page = Array(found.prefix(request.limit))
        let next = found.count > request.limit ? page.last.map { "\($0.1)|\($0.0.lot.id)" } : nil
        return LotRequests.DetailPage(items: page.map(\.0), nextCursor: next)
    }
}
