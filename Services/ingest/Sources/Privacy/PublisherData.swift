import EcoBus
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// The lots, listings and demands an account published. An organisation's offers stay the
/// organisation's when one of its members is erased. A sole trader's (published for no
/// organisation, or for one whose only member the person was) go with the person: their text and
/// photos are taken out (`OfferRedaction`), lots are withdrawn (their reservations are cancelled),
/// listings and demands stop being offered, ingest's stored events are rewritten the same way, and
/// `listing.redacted` and `demand.redacted` tell every holder of a copy (no one else keeps a lot's text).
struct PublisherData: PersonalDataHolder {
    let outbox: Outbox
    let photos: PhotoStore
    /// The grid that gives each redacted offer its market part.
    let grid: MarketGrid

    var section: String { "published" }

    func export(accountID: String, in db: Database) throws -> Data {
        var object: [String: Any] = [:]
        for (name, table, owner) in [("lots", "lots", "merchant_id"), ("listings", "listings", "company_id"), ("demands", "demands", "requester_id")] {
            let bodies = try Data.fetchAll(db, sql: "SELECT body FROM \(table) WHERE \(owner) = ? ORDER BY id", arguments: [accountID])
            object[name] = try bodies.map { try JSONSerialization.jsonObject(with: $0) }
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    func erase(_ erased: AccountErased, in db: Database) throws -> ErasureCount {
        var shownPhotos: Set<String> = []
        var count = try eraseLots(erased, photos: &shownPhotos, db)
        count = count + (try eraseListings(erased, photos: &shownPhotos, db))
        count = count + (try eraseDemands(erased, db))
        count.rows += try photos.forgetUnreferenced(shownPhotos, in: db)
        return count
    }

    /// The person's lots: redacted, withdrawn if still published (their reservations are cancelled).
    private func eraseLots(_ erased: AccountErased, photos shown: inout Set<String>, _ db: Database) throws -> ErasureCount {
        var count = ErasureCount()
        for var lot in try bodies(Lot.self, "SELECT body FROM lots WHERE merchant_id = ? ORDER BY id", erased, db)
        where erased.ownsOffer(publishedBy: lot.merchantId, for: lot.draft.organisationId) {
            shown.formUnion(lot.photos ?? [])
            let wasPublished = lot.status == .published
            guard OfferRedaction.redact(&lot) || wasPublished else { continue }
            lot.status = .withdrawn
            lot.version += 1
            lot.updatedAt = erased.at
            try db.execute(
                sql: "UPDATE lots SET status = ?, version = ?, body = ?, updated_at = ? WHERE id = ?",
                arguments: [lot.status.rawValue, lot.version, try EventCodec.encoder.encode(lot), EventTime.format(erased.at), lot.id])
            let id = lot.id
            count.events += try Outbox.rewrite(
                topics: [LotChanged.publishedTopic, LotChanged.updatedTopic], containing: id, as: LotChanged.self, in: db
            ) { event in event.lot.id == id && OfferRedaction.redact(&event.lot) }
            if wasPublished {
                try outbox.append(LotWithdrawn.topic, LotWithdrawn(lotId: id, merchantId: lot.merchantId, withdrawnBy: erased.accountID), in: db)
            }
            count.rows += 1
        }
        return count
    }

    /// The person's listings: redacted, no longer available after the erasure, announced as `listing.redacted`.
    private func eraseListings(_ erased: AccountErased, photos shown: inout Set<String>, _ db: Database) throws -> ErasureCount {
        var count = ErasureCount()
        for var listing in try bodies(Listing.self, "SELECT body FROM listings WHERE company_id = ? ORDER BY id", erased, db)
        where erased.ownsOffer(publishedBy: listing.companyId, for: listing.draft.organisationId) {
            shown.formUnion(listing.photos ?? [])
            let stillOffered = listing.draft.availableUntil > erased.at
            guard OfferRedaction.redact(&listing) || stillOffered else { continue }
            listing.draft.availableUntil = min(listing.draft.availableUntil, erased.at)
            listing.version += 1
            try db.execute(
                sql: "UPDATE listings SET version = ?, body = ? WHERE id = ?",
                arguments: [listing.version, try EventCodec.encoder.encode(listing), listing.id])
            let id = listing.id
            count.events += try Outbox.rewrite(
                topics: [ListingPublished.topic, ListingPublished.updatedTopic], containing: id, as: ListingPublished.self, in: db
            ) { event in event.listing.id == id && OfferRedaction.redact(&event.listing) }
            try outbox.append(ListingPublished.redactedTopic, ListingPublished(listing: listing), partitionKey: grid.part(of: listing), in: db)
            count.rows += 1
        }
        return count
    }

    /// The person's demands: redacted, no longer wanted after the erasure, announced as `demand.redacted`.
    private func eraseDemands(_ erased: AccountErased, _ db: Database) throws -> ErasureCount {
        var count = ErasureCount()
        for var demand in try bodies(Demand.self, "SELECT body FROM demands WHERE requester_id = ? ORDER BY id", erased, db)
        where erased.ownsOffer(publishedBy: demand.requesterId, for: demand.draft.organisationId) {
            let stillWanted = demand.draft.neededUntil > erased.at
            guard OfferRedaction.redact(&demand) || stillWanted else { continue }
            demand.draft.neededUntil = min(demand.draft.neededUntil, erased.at)
            demand.version += 1
            try db.execute(
                sql: "UPDATE demands SET version = ?, body = ? WHERE id = ?",
                arguments: [demand.version, try EventCodec.encoder.encode(demand), demand.id])
            let id = demand.id
            count.events += try Outbox.rewrite(
                topics: [DemandPublished.topic], containing: id, as: DemandPublished.self, in: db
            ) { event in event.demand.id == id && OfferRedaction.redact(&event.demand) }
            try outbox.append(DemandPublished.redactedTopic, DemandPublished(demand: demand), partitionKey: grid.part(of: demand), in: db)
            count.rows += 1
        }
        return count
    }

    private func bodies<Offer: Decodable>(_ type: Offer.Type, _ sql: String, _ erased: AccountErased, _ db: Database) throws -> [Offer] {
        try Data.fetchAll(db, sql: sql, arguments: [erased.accountID]).map { try EventCodec.decoder.decode(Offer.self, from: $0) }
    }
}
