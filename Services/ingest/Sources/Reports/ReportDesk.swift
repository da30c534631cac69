import EcoBus
import EcoModel
import EcoStore
import EcoTerritory
import Foundation
import GRDB

/// Ingest's environmental reports: each filing is checked, routed to its authority (or the admin
/// queue), or linked to an open report of the same category nearby; `report.filed` and
/// `report.supported` announce the public report. Who filed, and how to reach them, stays in
/// `report_filings` and is never published.
public struct ReportDesk: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v7.reports") { db in
            try db.execute(sql: """
                CREATE TABLE reports (
                    id TEXT PRIMARY KEY NOT NULL,
                    category TEXT NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    status TEXT NOT NULL,
                    jurisdiction_id TEXT,
                    filed_at TEXT NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX reports_place ON reports(category, latitude, longitude);
                CREATE TABLE report_filings (
                    id TEXT PRIMARY KEY NOT NULL,
                    report_id TEXT NOT NULL,
                    reporter_account_id TEXT,
                    contact BLOB,
                    description TEXT NOT NULL,
                    filed_at TEXT NOT NULL
                );
                CREATE INDEX report_filings_report ON report_filings(report_id);
                """)
        },
        Migration("ingest.v10.filing-photos") { db in
            // The photos each filing brought, so that erasing one filer removes theirs only.
            try db.execute(sql: """
                ALTER TABLE report_filings ADD COLUMN photo_hashes TEXT;
                CREATE INDEX report_filings_reporter ON report_filings(reporter_account_id);
                """)
        },
    ]

    let database: DatabasePool
    let outbox: Outbox
    let territory: Territory
    let photos: PhotoStore

    public init(database: DatabasePool, outbox: Outbox, territory: Territory, photos: PhotoStore) {
        self.database = database
        self.outbox = outbox
        self.territory = territory
        self.photos = photos
    }

    public func file(_ request: ReportRequests.File, photoFrames: [Data], now: Date = Date()) async throws -> ReportRequests.Filed {
        let draft = try ReportRules.validate(request.draft, territory: territory)
        guard photoFrames.count <= ReportRequests.maximumPhotos, photoFrames.count == request.photoTypes.count else {
            throw RemoteError.invalid("photos", "at most \(ReportRequests.maximumPhotos) photos, each with its type")
        }
        var saved: [PhotoStore.Saved] = []
        for (index, frame) in photoFrames.enumerated() {
            guard frame.count <= ReportRequests.maximumPhotoBytes else {
                throw RemoteError.invalid("photos[\(index)]", "a report photo may be at most \(ReportRequests.maximumPhotoBytes >> 20) MiB")
            }
            do {
                saved.append(try photos.accept(frame, declared: request.photoTypes[index]))
            } catch let error as RemoteError {
                throw error.with(field: "photos[\(index)]")
            }
        }
        let point = GeoPoint(latitude: draft.latitude, longitude: draft.longitude)
        let jurisdiction = territory.route(category: draft.category, at: point)
        let outbox = self.outbox
        let stored = saved
        return try await database.write { db in
            for photo in stored { try PhotoStore.record(photo, at: now, in: db) }
            let filingId = UUID().uuidString.lowercased()
            if var existing = try Self.openDuplicate(of: draft, near: point, now: now, db) {
                existing.supporters += 1
                existing.updatedAt = now
                for photo in stored where !existing.photos.contains(photo.hash) && existing.photos.count < ReportRequests.maximumPhotos * 3 {
                    existing.photos.append(photo.hash)
                }
                try Self.record(filingId, of: existing.id, request, draft, photos: stored.map(\.hash), now, db)
                try ReportRecords.save(existing, announcing: ReportChanged.supportedTopic, outbox: outbox, db)
                return ReportRequests.Filed(
                    report: existing, linkedToExisting: true,
                    message: "an open report of the same kind was filed within \(Int(ReportRules.duplicateRadiusMetres)) m; yours is counted as support for it",
                    filingId: filingId)
            }
            let report = PublicReport(
                id: UUID().uuidString.lowercased(), category: draft.category, latitude: draft.latitude, longitude: draft.longitude,
                address: draft.address, description: draft.description, status: .open, jurisdictionId: jurisdiction?.id, supporters: 0,
                photos: stored.map(\.hash), mediaUrl: draft.mediaUrl, filedAt: now, updatedAt: now,
                history: [ReportStatusChange(status: .open, reason: nil, by: "citizen", at: now)])
            try db.execute(
                sql: "INSERT INTO reports (id, category, latitude, longitude, status, jurisdiction_id, filed_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [report.id, report.category, report.latitude, report.longitude, report.status.rawValue, report.jurisdictionId,
                            EventTime.format(now), try EventCodec.encoder.encode(report)])
            try Self.record(filingId, of: report.id, request, draft, photos: stored.map(\.hash), now, db)
            try outbox.append(ReportChanged.filedTopic, ReportChanged(report: report), in: db)
            let routed = jurisdiction.map { "sent to \($0.name)" } ?? "no authority handles this category here; an administrator will route it"
            return ReportRequests.Filed(report: report, linkedToExisting: false, message: "report filed; \(routed)", filingId: filingId)
        }
    }

    /// The open report of the same category within the duplicate radius, filed in the window; the nearest, then the oldest.
    static func openDuplicate(of draft: ReportDraft, near point: GeoPoint, now: Date, _ db: Database) throws -> PublicReport? {
        let box = point.boundingBox(radiusKm: ReportRules.duplicateRadiusMetres / 1000)
        let rows = try Row.fetchAll(
            db, sql: """
                SELECT body FROM reports WHERE category = ? AND status != 'closed' AND filed_at >= ?
                    AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?
                """,
            arguments: [draft.category, EventTime.format(now.addingTimeInterval(-ReportRules.duplicateWindow)),
                        box.latitude.lowerBound, box.latitude.upperBound, box.longitude.lowerBound, box.longitude.upperBound])
        return try rows.map { try EventCodec.decoder.decode(PublicReport.self, from: $0["body"] as Data) }
            .map { ($0, point.distanceKm(to: GeoPoint(latitude: $0.latitude, longitude: $0.longitude)) * 1000) }
            .filter { $0.1 <= ReportRules.duplicateRadiusMetres }
            .min { ($0.1, $0.0.filedAt, $0.0.id) < ($1.1, $1.0.filedAt, $1.0.id) }?.0
    }

    /// Keeps the filing itself, with who filed and how to reach them: private to ingest.
    static func record(
        _ id: String, of reportId: String, _ request: ReportRequests.File, _ draft: ReportDraft, photos: [String], _ now: Date, _ db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO report_filings (id, report_id, reporter_account_id, contact, description, filed_at, photo_hashes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, reportId, request.reporterAccountId, try draft.contact.map { try EventCodec.encoder.encode($0) }, draft.description,
                        EventTime.format(now), String(decoding: try EventCodec.encoder.encode(photos), as: UTF8.self)])
    }

    public func report(id: String) async throws -> PublicReport? {
        try await database.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM reports WHERE id = ?", arguments: [id]).map { try EventCodec.decoder.decode(PublicReport.self, from: $0) }
        }
    }

    public var handlers: [String: RequestHandler] {
        [
            ReportRequests.file: { body in
                let request = try RemoteError.decodeRequest(ReportRequests.File.self, body)
                return [try EventCodec.encoder.encode(try await file(request, photoFrames: Array(body.dropFirst())))]
            },
            ReportRequests.services: { _ in
                [try EventCodec.encoder.encode(territory.categories.map { ReportService(code: $0.code, name: $0.name, description: $0.description) })]
            },
            ReportRequests.get: { body in
                let request = try RemoteError.decodeRequest(ReportRequests.Get.self, body)
                guard let report = try await report(id: request.reportId) else { throw RemoteError.notFound("no report \(request.reportId)") }
                return [try EventCodec.encoder.encode(report)]
            },
        ]
    }
}
