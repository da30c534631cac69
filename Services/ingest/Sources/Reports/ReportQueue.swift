import EcoBus
import EcoModel
import EcoTerritory
import Foundation
import GRDB

/// The admin queue: open reports that no jurisdiction handles where they were filed, oldest first,
/// and routing one by hand (`report.routed`).
public struct ReportQueue: Sendable {
    public static let maximumPageSize = 200
    let database: DatabasePool
    let outbox: Outbox
    let territory: Territory

    public init(database: DatabasePool, outbox: Outbox, territory: Territory) {
        self.database = database
        self.outbox = outbox
        self.territory = territory
    }

    public func list(_ request: ReportQueueRequests.List) async throws -> ReportQueueRequests.Page {
        guard request.actor.isAdmin else { throw RemoteError(code: "forbidden", message: "only an admin reads the admin queue") }
        let limit = min(max(request.limit, 1), Self.maximumPageSize), offset = max(request.offset, 0)
        return try await database.read { db in
            let filter = "WHERE jurisdiction_id IS NULL AND status != 'closed'"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports " + filter) ?? 0
            let bodies = try Data.fetchAll(db, sql: "SELECT body FROM reports " + filter + " ORDER BY filed_at, id LIMIT ? OFFSET ?", arguments: [limit, offset])
            return ReportQueueRequests.Page(items: try bodies.map { try EventCodec.decoder.decode(PublicReport.self, from: $0) }, total: total)
        }
    }

    public func route(_ request: ReportQueueRequests.Route, now: Date = Date()) async throws -> PublicReport {
        guard request.actor.isAdmin else { throw RemoteError(code: "forbidden", message: "only an admin routes a report by hand") }
        guard territory.jurisdictions.contains(where: { $0.id == request.jurisdictionId }) else {
            throw RemoteError.invalid("jurisdictionId", "no jurisdiction \(request.jurisdictionId); known: \(territory.jurisdictions.map(\.id).joined(separator: ", "))")
        }
        let outbox = self.outbox
        return try await database.write { db in
            var report = try ReportRecords.load(request.reportId, db)
            guard report.jurisdictionId != request.jurisdictionId else { return report }
            let previous = report.jurisdictionId
            report.jurisdictionId = request.jurisdictionId
            report.updatedAt = now
            try ReportRecords.save(report, announcing: ReportChanged.routedTopic, previousJurisdictionId: previous, outbox: outbox, db)
            return report
        }
    }

    public var handlers: [String: RequestHandler] {
        [
            ReportQueueRequests.list: { body in
                [try EventCodec.encoder.encode(try await list(try RemoteError.decodeRequest(ReportQueueRequests.List.self, body)))]
            },
            ReportQueueRequests.route: { body in
                [try EventCodec.encoder.encode(try await route(try RemoteError.decodeRequest(ReportQueueRequests.Route.self, body)))]
            },
        ]
    }
}
