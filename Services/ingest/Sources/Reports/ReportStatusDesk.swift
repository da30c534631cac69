import EcoBus
import EcoModel
import EcoStore
import EcoTerritory
import Foundation
import GRDB

/// Moves reports along their statuses: members of the organisation an admin bound to the report's
/// jurisdiction, or an admin. Every change is kept in the report's public history, signed with the
/// jurisdiction's id or `admin` (never a person), and announced on `report.status_changed`.
public struct ReportStatusDesk: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v8.jurisdiction-bindings") { db in
            try db.execute(sql: """
                CREATE TABLE jurisdiction_bindings (
                    jurisdiction_id TEXT PRIMARY KEY NOT NULL,
                    organisation_id TEXT NOT NULL,
                    bound_by TEXT NOT NULL,
                    bound_at TEXT NOT NULL
                )
                """)
        },
    ]

    let database: DatabasePool
    let outbox: Outbox
    let territory: Territory

    public init(database: DatabasePool, outbox: Outbox, territory: Territory) {
        self.database = database
        self.outbox = outbox
        self.territory = territory
    }

    public func bind(_ request: ReportStatusRequests.Bind, now: Date = Date()) async throws -> ReportStatusRequests.Bound {
        guard request.actor.isAdmin else { throw RemoteError(code: "forbidden", message: "only an admin says who acts for a jurisdiction") }
        guard territory.jurisdictions.contains(where: { $0.id == request.jurisdictionId }) else {
            throw RemoteError.notFound("no jurisdiction \(request.jurisdictionId)")
        }
        guard !request.organisationId.isEmpty, request.organisationId.count <= 64 else {
            throw RemoteError.invalid("organisationId", "organisationId must have 1 to 64 characters")
        }
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO jurisdiction_bindings (jurisdiction_id, organisation_id, bound_by, bound_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(jurisdiction_id) DO UPDATE SET organisation_id = excluded.organisation_id, bound_by = excluded.bound_by,
                        bound_at = excluded.bound_at
                    """,
                arguments: [request.jurisdictionId, request.organisationId, request.actor.accountId, EventTime.format(now)])
        }
        return ReportStatusRequests.Bound(jurisdictionId: request.jurisdictionId, organisationId: request.organisationId)
    }

    public func change(_ request: ReportStatusRequests.Change, now: Date = Date()) async throws -> PublicReport {
        let outbox = self.outbox
        return try await database.write { db in
            var report = try ReportRecords.load(request.reportId, db)
            let actor = request.actor
            let bound = try report.jurisdictionId.flatMap { id in
                try String.fetchOne(db, sql: "SELECT organisation_id FROM jurisdiction_bindings WHERE jurisdiction_id = ?", arguments: [id])
            }
            let actsForAuthority = bound.map { actor.organisationIds.contains($0) } ?? false
            guard actor.isAdmin || actsForAuthority else {
                throw RemoteError(code: "forbidden", message: "only the authority the report was routed to, or an admin, changes its status")
            }
            let reason = try ReportStatusRules.check(from: report.status, to: request.status, reason: request.reason, isAdmin: actor.isAdmin)
            let by = actsForAuthority ? (report.jurisdictionId ?? "admin") : "admin"
            report.status = request.status
            report.updatedAt = now
            report.history.append(ReportStatusChange(status: request.status, reason: reason, by: by, at: now))
            try ReportRecords.save(report, announcing: ReportChanged.statusChangedTopic, outbox: outbox, db)
            return report
        }
    }

    public func bindings(_ request: ReportStatusRequests.Bindings) async throws -> [ReportStatusRequests.Bound] {
        let organisations = request.organisationIds
        guard (organisations?.count ?? 0) <= 100 else { throw RemoteError.invalid("organisationIds", "at most 100 organisations") }
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT jurisdiction_id, organisation_id FROM jurisdiction_bindings ORDER BY jurisdiction_id")
                .map { ReportStatusRequests.Bound(jurisdictionId: $0["jurisdiction_id"], organisationId: $0["organisation_id"]) }
                .filter { bound in organisations.map { $0.contains(bound.organisationId) } ?? true }
        }
    }

    /// Every jurisdiction of the territory, by id, with whether an organisation is bound to it.
    public func jurisdictions() async throws -> [JurisdictionInfo] {
        let bound = Set(try await bindings(ReportStatusRequests.Bindings(organisationIds: nil)).map(\.jurisdictionId))
        return territory.jurisdictions.sorted { $0.id < $1.id }.map {
            JurisdictionInfo(id: $0.id, name: $0.name, level: $0.level, categories: $0.categories.sorted(), organisationBound: bound.contains($0.id))
        }
    }

    public var handlers: [String: RequestHandler] {
        [
            ReportRequests.jurisdictions: { _ in [try EventCodec.encoder.encode(try await jurisdictions())] },
            ReportStatusRequests.bindings: { body in
                [try EventCodec.encoder.encode(try await bindings(try RemoteError.decodeRequest(ReportStatusRequests.Bindings.self, body)))]
            },
            ReportStatusRequests.bind: { body in
                [try EventCodec.encoder.encode(try await bind(try RemoteError.decodeRequest(ReportStatusRequests.Bind.self, body)))]
            },
            ReportStatusRequests.change: { body in
                [try EventCodec.encoder.encode(try await change(try RemoteError.decodeRequest(ReportStatusRequests.Change.self, body)))]
            },
        ]
    }
}
