import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// What ingest holds about a person who filed reports: their filings (description, contact,
/// photos) and, for the reports they opened, the public text. Erasing keeps each report for its
/// authority (category, place, status, history) but takes out what the person wrote and sent:
/// the report's description and address when they opened it, their photos, their filings'
/// contact and text; ingest's stored report events are rewritten the same way, and
/// `report.redacted` tells every holder of a copy.
struct ReportFilerData: PersonalDataHolder {
    let outbox: Outbox
    let photos: PhotoStore

    var section: String { "reports" }

    struct Filing: Codable {
        var filingId: String
        var reportId: String
        var filedAt: String
        var description: String
        var contact: ReportContact?
        var report: PublicReport?
    }

    func export(accountID: String, in db: Database) throws -> Data {
        let filings = try Row.fetchAll(
            db, sql: "SELECT * FROM report_filings WHERE reporter_account_id = ? ORDER BY filed_at, id", arguments: [accountID]
        ).map { row in
            Filing(
                filingId: row["id"], reportId: row["report_id"], filedAt: row["filed_at"], description: row["description"],
                contact: try (row["contact"] as Data?).map { try EventCodec.decoder.decode(ReportContact.self, from: $0) },
                report: try Data.fetchOne(db, sql: "SELECT body FROM reports WHERE id = ?", arguments: [row["report_id"] as String])
                    .map { try EventCodec.decoder.decode(PublicReport.self, from: $0) })
        }
        return try ExportJSON.encode(filings)
    }

    func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount {
        try erase(try Row.fetchAll(
            db, sql: "SELECT id, report_id, photo_hashes FROM report_filings WHERE reporter_account_id = ?", arguments: [erased.accountID]), in: db)
    }

    /// Erases one filing, by its id (the token its filer was given): the way a citizen who filed
    /// without an account, or through an Open311 application, has their filing erased. Nil when
    /// there is no such filing.
    func erase(filingID: String, in db: Database) throws -> ErasureCount? {
        let filings = try Row.fetchAll(db, sql: "SELECT id, report_id, photo_hashes FROM report_filings WHERE id = ?", arguments: [filingID])
        guard !filings.isEmpty else { return nil }
        return try erase(filings, in: db)
    }

    private func erase(_ filings: [Row], in db: Database) throws -> ErasureCount {
        var count = ErasureCount()
        var removedPhotos: Set<String> = []
        for filing in filings {
            let filingID: String = filing["id"], reportID: String = filing["report_id"]
            let opener = try String.fetchOne(
                db, sql: "SELECT id FROM report_filings WHERE report_id = ? ORDER BY filed_at, id LIMIT 1", arguments: [reportID]) == filingID
            let photos = try (filing["photo_hashes"] as String?).map { try EventCodec.decoder.decode([String].self, from: Data($0.utf8)) }
            try db.execute(
                sql: "UPDATE report_filings SET reporter_account_id = NULL, contact = NULL, description = ?, photo_hashes = NULL WHERE id = ?",
                arguments: [Erased.text, filingID])
            count.rows += 1
            // Filings made before photos were recorded per filing: the opener's are all the report's.
            let redaction = Redaction(opener: opener, photos: photos.map(Set.init))
            var report = try ReportRecords.load(reportID, db)
            removedPhotos.formUnion(redaction.photos ?? Set(report.photos))
            guard redaction.apply(to: &report) else { continue }
            let redacted = report
            count.events += try Outbox.rewrite(
                topics: ReportChanged.topics, containing: reportID, as: ReportChanged.self, in: db
            ) { event in event.report.id == reportID && event.report.redact(like: redacted) }
            try ReportRecords.save(report, announcing: ReportChanged.redactedTopic, outbox: outbox, db)
        }
        count.rows += try photos.forgetUnreferenced(removedPhotos, in: db)
        return count
    }

    /// What comes out of a report when one of its filers is erased.
    struct Redaction {
        /// The person opened the report: its description, address and picture link are theirs.
        let opener: Bool
        /// The photos their filing brought; nil when not recorded (all the report's, for its opener).
        let photos: Set<String>?

        /// Redacts `report`; false when there was nothing of the person's in it.
        func apply(to report: inout PublicReport) -> Bool {
            let before = report
            if opener {
                report.description = Erased.text
                report.address = nil
                report.mediaUrl = nil
            }
            if let photos {
                report.photos.removeAll { photos.contains($0) }
            } else if opener {
                report.photos = []
            }
            return report != before
        }
    }
}
