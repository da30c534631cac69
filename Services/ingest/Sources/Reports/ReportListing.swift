import EcoBus
import EcoModel
import EcoTerritory
import Foundation
import GRDB

/// `GET /v1/reports`: public reports newest first, filtered by category, status, jurisdiction,
/// a box and a filing window, paged by (filing time, id) so that new filings never shift a page.
struct ReportListing: Sendable {
    let database: DatabasePool
    let territory: Territory
    /// The jurisdiction filter's value for reports that wait in the admin queue.
    static let unrouted = "unrouted"

    func list(_ request: ReportSearchRequests.List) async throws -> ReportSearchRequests.Page {
        let query = try query(for: request)
        let rows = try await database.read { [sql = query.sql, arguments = query.arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { (body: $0["body"] as Data, filedAt: $0["filed_at"] as String) }
        }
        let found = try rows.map { (try EventCodec.decoder.decode(PublicReport.self, from: $0.body), $0.filedAt) }
        let page = Array(found.prefix(request.limit))
        let next = found.count > request.limit ? page.last.map { "\($0.1)|\($0.0.id)" } : nil
        return ReportSearchRequests.Page(items: page.map(\.0), nextCursor: next)
    }

    func query(for request: ReportSearchRequests.List) throws(RemoteError) -> (sql: String, arguments: StatementArguments) {
        guard (1...200).contains(request.limit) else { throw .invalid("limit", "limit must be between 1 and 200") }
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let category = request.category {
            guard territory.category(category) != nil else {
                throw .invalid("category", "category must be one of \(territory.categories.map(\.code).joined(separator: ", ")) (GET /v1/categories)")
            }
            clauses.append("category = ?")
            arguments.append(category)
        }
        if let reporter = request.reporterAccountId {
            clauses.append("id IN (SELECT report_id FROM report_filings WHERE reporter_account_id = ?)")
            arguments.append(reporter)
        }
        if let status = request.status {
            clauses.append("status = ?")
            arguments.append(status.rawValue)
        }
        if let jurisdiction = request.jurisdictionId {
            if jurisdiction == Self.unrouted {
                clauses.append("jurisdiction_id IS NULL")
            } else {
                guard territory.jurisdictions.contains(where: { $0.id == jurisdiction }) else {
                    throw .invalid("jurisdiction", "no jurisdiction \(jurisdiction) (GET /v1/jurisdictions); \(Self.unrouted) for the admin queue")
                }
                clauses.append("jurisdiction_id = ?")
                arguments.append(jurisdiction)
            }
        }
        if let box = request.box {
            guard (-90...90).contains(box.minLatitude), (-90...90).contains(box.maxLatitude), box.minLatitude <= box.maxLatitude,
                  (-180...180).contains(box.minLongitude), (-180...180).contains(box.maxLongitude), box.minLongitude <= box.maxLongitude
            else { throw .invalid("bbox", "bbox is minLon,minLat,maxLon,maxLat with the minimums first, in degrees") }
            clauses += ["latitude BETWEEN ? AND ?", "longitude BETWEEN ? AND ?"]
            arguments += [box.minLatitude, box.maxLatitude, box.minLongitude, box.maxLongitude]
        }
        if let from = request.from {
            clauses.append("filed_at >= ?")
            arguments.append(EventTime.format(from))
        }
        if let to = request.to {
            if let from = request.from, from > to { throw .invalid("from", "from must come before to") }
            clauses.append("filed_at < ?")
            arguments.append(EventTime.format(to))
        }
        if let cursor = request.cursor {
            let parts = cursor.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, EventTime.parse(parts[0]) != nil else { throw .invalid("cursor", "cursor is not one this API gave") }
            clauses.append("(filed_at < ? OR (filed_at = ? AND id < ?))")
            arguments += [parts[0], parts[0], parts[1]]
        }
        let condition = clauses.isEmpty ? "" : "WHERE \(clauses.joined(separator: " AND ")) "
        arguments.append(request.limit + 1)
        return ("SELECT body, filed_at FROM reports \(condition)ORDER BY filed_at DESC, id DESC LIMIT ?", StatementArguments(arguments))
    }
}
