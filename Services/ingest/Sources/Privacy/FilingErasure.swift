import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB
import Logging

/// Answers `report.erase-filing`: a filer who has their filing's token (the id they were given
/// when they filed) has what they gave erased, as an account's erasure would: the text, contact
/// and photos of that filing, and the report's public text when it was theirs (`report.redacted`).
struct FilingErasure: Sendable {
    let filers: ReportFilerData
    let database: DatabasePool
    let logger: Logger

    func handlers() -> [String: RequestHandler] {
        [
            ReportRequests.eraseFiling: { body in
                let request = try RemoteError.decodeRequest(ReportRequests.EraseFiling.self, body)
                guard request.filingId.count <= 64 else { throw RemoteError.notFound("no filing with this token") }
                let filers = self.filers, database = self.database, logger = self.logger
                let count = try await database.write { db -> ErasureCount? in
                    let count = try filers.erase(filingID: request.filingId, in: db)
                    if count != nil { WALTruncation.afterCommit(of: db, database: database, logger: logger) }
                    return count
                }
                guard let count else { throw RemoteError.notFound("no filing with this token") }
                logger.notice("report filing erased", metadata: ["privacy.rows": "\(count.rows)", "privacy.events": "\(count.events)"])
                return [try EventCodec.encoder.encode(ReportRequests.FilingErased(erased: true))]
            },
        ]
    }
}
