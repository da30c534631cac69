import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging

/// Applies `account.erased` in every service: each holder erases its part, dead letters that name
/// the account are dropped, `privacy.erased` reports the instance done, and after the commit the
/// WAL is checkpointed and truncated so that no old page of the person's data stays in it.
struct ErasureHandler: EventHandler {
    let instance: String
    let holders: [any PersonalDataHolder]
    let outbox: Outbox
    let database: DatabasePool
    let logger: Logger

    var topicPrefixes: [String] { [AccountErased.topic, ReportChanged.redactedTopic] }

    func apply(_ event: ReceivedEvent, in db: Database) throws {
        if event.type == ReportChanged.redactedTopic {
            // A copy of the report's old text may sit in a dead letter of any service.
            _ = try ErasedAccounts.dropDeadLetters(containing: try event.decodeData(ReportChanged.self).report.id, in: db)
            WALTruncation.afterCommit(of: db, database: database, logger: logger)
            return
        }
        guard event.type == AccountErased.topic else { return }
        let erased = try event.decodeData(AccountErased.self)
        try ErasedAccounts.record(erased.accountID, at: erased.at, in: db)
        var count = ErasureCount()
        for holder in holders { count = count + (try holder.erase(accountID: erased.accountID, in: db)) }
        count.rows += try ErasedAccounts.dropDeadLetters(containing: erased.accountID, in: db)
        try outbox.append(
            PersonalDataErased.topic,
            PersonalDataErased(accountID: erased.accountID, instance: instance, rows: count.rows, events: count.events),
            causationID: event.envelope.id, in: db)
        WALTruncation.afterCommit(of: db, database: database, logger: logger)
        logger.notice("account erased", metadata: [
            "account.id": "\(erased.accountID)", "privacy.rows": "\(count.rows)", "privacy.events": "\(count.events)",
        ])
    }

}

/// Copies the WAL into the database file and empties it, so that the pages an erasure replaced do
/// not stay in it; retried while readers hold it.
public enum WALTruncation {
    /// Truncates the WAL once the transaction `db` is in commits: for any handler that redacts.
    public static func afterCommit(of db: Database, database: DatabasePool, logger: Logger) {
        db.afterNextTransaction(onCommit: { _ in
            Task { await run(database, logger: logger) }
        })
    }

    public static func run(_ database: DatabasePool, logger: Logger) async {
        for attempt in 1...20 {
            do {
                try await database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                return
            } catch {
                if attempt == 20 { logger.warning("WAL not truncated after an erasure", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}

/// Answers `privacy.export`: every holder's section for the account, as one JSON object
/// `{"instance": …, "sections": {name: …}}`.
enum ExportRequestHandler {
    static func make(instance: String, holders: [any PersonalDataHolder], database: DatabasePool) -> RequestHandler {
        { body in
            guard let first = body.first, let request = try? EventCodec.decoder.decode(PrivacyRequests.Export.self, from: first),
                  !request.accountId.isEmpty
            else { throw RemoteError.badRequest("body must be {accountId}") }
            let sections = try await database.read { db in
                try holders.map { ($0.section, try $0.export(accountID: request.accountId, in: db)) }
            }
            var object: [String: Any] = [:]
            for (name, data) in sections {
                object[name] = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            }
            return [try JSONSerialization.data(withJSONObject: ["instance": instance, "sections": object], options: [.sortedKeys])]
        }
    }
}
