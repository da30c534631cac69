import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// Forgets how to reach the citizens who filed a report once it has been closed for
/// `RetentionPeriods.closedReportContact`: the authority no longer needs to ask them anything.
/// A reopened report keeps its contacts (it is not closed any more).
struct ClosedReportContacts: PurgeJob {
    var name: String { "closed_report_contacts" }

    func purge(now: Date, in db: Database) throws -> Int {
        let cutoff = now.addingTimeInterval(-RetentionPeriods.closedReportContact)
        let bodies = try Data.fetchAll(db, sql: """
            SELECT body FROM reports WHERE status = 'closed'
            AND id IN (SELECT report_id FROM report_filings WHERE contact IS NOT NULL)
            """)
        var purged = 0
        for body in bodies {
            let report = try EventCodec.decoder.decode(PublicReport.self, from: body)
            guard let closed = report.history.last(where: { $0.status == .closed })?.at, closed < cutoff else { continue }
            try db.execute(sql: "UPDATE report_filings SET contact = NULL WHERE report_id = ? AND contact IS NOT NULL", arguments: [report.id])
            purged += db.changesCount
        }
        return purged
    }
}
