import EcoBus
import EcoModel
import GRDB

/// The copies of an offer's text this worker announced: `listing.shared` events carry the whole
/// listing, and proposal events the addresses of a suggested mission. When a sole trader is erased
/// (`listing.redacted`, `demand.redacted`) the worker rewrites them in its outbox as ingest rewrote
/// its own (docs/decisions/0010); the ledger's rows are redacted by `MaterialLedger`.
enum OfferCopies {
    /// Rewrites the stored events that copy the offer's text; returns how many changed.
    @discardableResult
    static func rewrite(offer offerId: String, in db: Database) throws -> Int {
        let shared = try Outbox.rewrite(topics: [ListingShared.topic], containing: offerId, as: ListingShared.self, in: db) { event in
            OfferRedaction.redact(&event, listing: offerId)
        }
        let proposals = try Outbox.rewrite(topics: ProposalChanged.topics, containing: offerId, as: ProposalChanged.self, in: db) { event in
            OfferRedaction.redact(&event.proposal, offer: offerId)
        }
        return shared + proposals
    }
}
