import EcoBus
import EcoModel
import Foundation
import GRDB

/// Reading and writing a stored report, for every change after filing: the row's searchable
/// columns and its public body move together, and the change is announced in the same transaction.
enum ReportRecords {
    static func load(_ id: String, _ db: Database) throws -> PublicReport {
        guard let body = try Data.fetchOne(db, sql: "SELECT body FROM reports WHERE id = ?", arguments: [id]) else {
            throw RemoteError.notFound("no report \(id)")
        }
        return try EventCodec.decoder.decode(PublicReport.self, from: body)
    }

    static func save(_ report: PublicReport, announcing topic: String, previousJurisdictionId: String? = nil, outbox: Outbox, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE reports SET status = ?, jurisdiction_id = ?, body = ? WHERE id = ?",
            arguments: [report.status.rawValue, report.jurisdictionId, try EventCodec.encoder.encode(report), report.id])
        try outbox.append(topic, ReportChanged(report: report, previousJurisdictionId: previousJurisdictionId), in: db)
    }
}
