import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging

/// Applies `account.erased` in every service: each holder erases its part, dead letters that name
/// the account are dropped, `privacy.erased` reports the instance done, and after the commit the
/// WAL is checkpointed and truncated so that no old page of the person's data stays in it.
///
/// A service that keeps copies of another producer's events (notifications keeps reports) is done
/// only once it has also applied the redactions that producer's erasure wrote: `awaits` names such
/// producers, and `privacy.erased` goes out when their own `privacy.erased` (which follows their
/// redactions in their stream) has been applied here too.
struct ErasureHandler: EventHandler {
    let instance: String
    let holders: [any PersonalDataHolder]
    let outbox: Outbox
    let database: DatabasePool
    let logger: Logger
    var awaits: Set<String> = []

    var topicPrefixes: [String] {
        [AccountErased.topic] + Self.redactions + (awaits.isEmpty ? [] : [PersonalDataErased.topic])
    }

    /// The producers' redactions of what an erased person wrote: a copy of the old text may sit in
    /// a dead letter of any service.
    static let redactions = [ReportChanged.redactedTopic, ListingPublished.redactedTopic, DemandPublished.redactedTopic]

    func apply(_ event: ReceivedEvent, in db: Database) throws {
        if let redacted = try Self.redactedID(event) {
            _ = try ErasedAccounts.dropDeadLetters(containing: redacted, in: db)
            WALTruncation.afterCommit(of: db, database: database, logger: logger)
            return
        }
        if event.type == PersonalDataErased.topic {
            let upstream = try event.decodeData(PersonalDataErased.self)
            guard awaits.contains(upstream.instance) else { return }
            try Self.recordStep("upstream:\(upstream.instance)", of: upstream.accountID, in: db)
            if try ErasedAccounts.contains(upstream.accountID, in: db) { try announceIfReady(upstream.accountID, causation: event.envelope.id, in: db) }
            return
        }
        guard event.type == AccountErased.topic else { return }
        let erased = try event.decodeData(AccountErased.self)
        try ErasedAccounts.record(erased.accountID, at: erased.at, in: db)
        var count = ErasureCount()
        for holder in holders { count = count + (try holder.erase(erased, in: db)) }
        count.rows += try ErasedAccounts.dropDeadLetters(containing: erased.accountID, in: db)
        try Self.recordStep("count:\(count.rows):\(count.events)", of: erased.accountID, in: db)
        try announceIfReady(erased.accountID, causation: event.envelope.id, in: db)
        WALTruncation.afterCommit(of: db, database: database, logger: logger)
        logger.notice("account erased", metadata: [
            "account.id": "\(erased.accountID)", "privacy.rows": "\(count.rows)", "privacy.events": "\(count.events)",
        ])
    }

    /// The id of the report, listing or demand a redaction event is about; nil for other events.
    static func redactedID(_ event: ReceivedEvent) throws -> String? {
        switch event.type {
        case ReportChanged.redactedTopic: try event.decodeData(ReportChanged.self).report.id
        case ListingPublished.redactedTopic: try event.decodeData(ListingPublished.self).listing.id
        case DemandPublished.redactedTopic: try event.decodeData(DemandPublished.self).demand.id
        default: nil
        }
    }

    /// Says `privacy.erased` once: when the account is erased here and every awaited producer said so.
    private func announceIfReady(_ accountID: String, causation: String, in db: Database) throws {
        let steps = try String.fetchAll(db, sql: "SELECT step FROM erasure_steps WHERE account_id = ?", arguments: [accountID])
        guard !steps.contains("announced"), awaits.allSatisfy({ steps.contains("upstream:\($0)") }),
              let count = steps.first(where: { $0.hasPrefix("count:") })?.split(separator: ":").compactMap({ Int($0) }), count.count == 2
        else { return }
        try outbox.append(
            PersonalDataErased.topic, PersonalDataErased(accountID: accountID, instance: instance, rows: count[0], events: count[1]),
            causationID: causation, in: db)
        try Self.recordStep("announced", of: accountID, in: db)
    }

    static func recordStep(_ step: String, of accountID: String, in db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO erasure_steps (account_id, step) VALUES (?, ?)", arguments: [accountID, step])
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
