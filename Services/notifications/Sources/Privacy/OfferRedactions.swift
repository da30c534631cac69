import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB
import Logging

/// Applies `listing.redacted` to the copies notifications keeps of a sole trader's listing: the
/// "available near you" notices its subscribers got show its title, which is rewritten as ingest
/// rewrote the listing. (Proposal notices and emails name codes and quantities, never an offer's text.)
struct OfferRedactions: EventHandler {
    let database: DatabasePool
    let logger: Logger

    var topicPrefixes: [String] { [ListingPublished.redactedTopic] }

    func apply(_ event: ReceivedEvent, in db: Database) throws {
        guard event.type == ListingPublished.redactedTopic else { return }
        let listing = try event.decodeData(ListingPublished.self).listing
        try db.execute(
            sql: "UPDATE notifications SET title = ? WHERE kind = ? AND substr(dedupe_key, 1, ?) = ?",
            arguments: [
                MaterialNotificationRules.sharedTitle(listing), ListingShared.topic,
                MaterialNotificationRules.sharedKey(listing.id, "").count, MaterialNotificationRules.sharedKey(listing.id, ""),
            ])
        if db.changesCount > 0 { WALTruncation.afterCommit(of: db, database: database, logger: logger) }
    }
}
