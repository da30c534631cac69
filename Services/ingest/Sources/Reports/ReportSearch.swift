import EcoBus
import EcoModel
import EcoStore
import EcoTerritory
import Foundation
import GRDB

/// The Open311 read side: reports by id, category, Open311 state and filing window, newest first;
/// and the report a filing's token leads to. Ingest answers because it owns the reports and their
/// history, so a client reads back what it just filed (decision 0009).
public struct ReportSearch: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v9.report-search") { db in
            try db.execute(sql: "CREATE INDEX reports_filed ON reports(filed_at)")
        },
    ]

    let database: DatabasePool
    let territory: Territory

    public init(database: DatabasePool, territory: Territory) {
        self.database = database
        self.territory = territory
    }

    public func search(_ request: ReportSearchRequests.Search, now: Date = Date()) async throws -> ReportSearchRequests.Result {
        let query = try Self.query(for: request, now: now)
        let bodies = try await database.read { db in try Data.fetchAll(db, sql: query.sql, arguments: query.arguments) }
        let items = try bodies.map { try EventCodec.decoder.decode(PublicReport.self, from: $0) }
        var categoryNames: [String: String] = [:], jurisdictionNames: [String: String] = [:]
        for item in items {
            categoryNames[item.category] = territory.category(item.category)?.name ?? item.category
            if let id = item.jurisdictionId { jurisdictionNames[id] = territory.jurisdictions.first { $0.id == id }?.name ?? id }
        }
        return ReportSearchRequests.Result(items: items, categoryNames: categoryNames, jurisdictionNames: jurisdictionNames)
    }

    /// The SQL for a search, checked: ids alone ignore the other filters; otherwise the window may
    /// span at most 90 days: by default the 90 days before `to`, which is now by default (or 90 days after `from`).
    static func query(for request: ReportSearchRequests.Search, now: Date) throws(RemoteError) -> (sql: String, arguments: StatementArguments) {
        let limit = min(max(request.limit, 1), ReportSearchRequests.maximumResults)
        if let ids = request.ids {
            guard !ids.isEmpty, ids.count <= ReportSearchRequests.maximumResults, ids.allSatisfy({ $0.count <= 64 }) else {
                throw .invalid("service_request_id", "give 1 to \(ReportSearchRequests.maximumResults) ids")
            }
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            return ("SELECT body FROM reports WHERE id IN (\(marks)) ORDER BY filed_at DESC, id LIMIT ?", StatementArguments(ids + [limit]))
        }
        let window = ReportSearchRequests.maximumWindow
        let to = request.to ?? request.from.map { min(now, $0.addingTimeInterval(window)) } ?? now
        let from = request.from ?? to.addingTimeInterval(-window)
        guard from <= to else { throw .invalid("start_date", "start_date must come before end_date") }
        guard to.timeIntervalSince(from) <= window else {
            throw .invalid("start_date", "start_date and end_date may be at most 90 days apart")
        }
        var clauses = ["filed_at >= ?", "filed_at <= ?"]
        var arguments: [any DatabaseValueConvertible] = [EventTime.format(from), EventTime.format(to)]
        if let categories = request.categories {
            guard !categories.isEmpty, categories.count <= 100 else { throw .invalid("service_code", "give 1 to 100 service codes") }
            clauses.append("category IN (\(Array(repeating: "?", count: categories.count).joined(separator: ", ")))")
            arguments += categories as [any DatabaseValueConvertible]
        }
        if let statuses = request.open311Statuses {
            let wanted = Set(statuses)
            guard !wanted.isEmpty, wanted.isSubset(of: ["open", "closed"]) else { throw .invalid("status", "status is open, closed, or both") }
            if wanted == ["open"] { clauses.append("status != 'closed'") }
            if wanted == ["closed"] { clauses.append("status = 'closed'") }
        }
        arguments.append(limit)
        return ("SELECT body FROM reports WHERE \(clauses.joined(separator: " AND ")) ORDER BY filed_at DESC, id LIMIT ?", StatementArguments(arguments))
    }

    public func token(_ request: ReportSearchRequests.Token) async throws -> ReportSearchRequests.Token {
        guard request.token.count <= 64 else { throw RemoteError.notFound("no token \(request.token)") }
        let reportId = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT report_id FROM report_filings WHERE id = ?", arguments: [request.token])
        }
        guard let reportId else { throw RemoteError.notFound("no token \(request.token)") }
        return ReportSearchRequests.Token(token: request.token, reportId: reportId)
    }

    public var handlers: [String: RequestHandler] {
        [
            ReportSearchRequests.search: { body in
                [try EventCodec.encoder.encode(try await search(try RemoteError.decodeRequest(ReportSearchRequests.Search.self, body)))]
            },
            ReportSearchRequests.list: { body in
                let request = try RemoteError.decodeRequest(ReportSearchRequests.List.self, body)
                return [try EventCodec.encoder.encode(try await ReportListing(database: database, territory: territory).list(request))]
            },
            ReportSearchRequests.token: { body in
                [try EventCodec.encoder.encode(try await token(try RemoteError.decodeRequest(ReportSearchRequests.Token.self, body)))]
            },
        ]
    }
}
