import Foundation

/// What an erasure takes out of the offers a sole trader published (docs/decisions/0010): what they
/// typed (titles, descriptions, conditions, addresses) and their photos. Places keep their
/// coordinates, which matching and the figures need. Ingest applies these to its rows and stored
/// events; every holder of a copy applies the same on `listing.redacted` and `demand.redacted`.
public enum OfferRedaction {
    /// Redacts the lot's text and photos; false when there was nothing left to take.
    public static func redact(_ lot: inout Lot) -> Bool {
        let before = lot
        lot.draft.title = Erased.text
        lot.draft.description = nil
        lot.draft.location.address = Erased.text
        lot.photos = lot.photos.map { _ in [] }
        return lot != before
    }

    /// Redacts the listing's text and photos; false when there was nothing left to take.
    public static func redact(_ listing: inout Listing) -> Bool {
        let before = listing
        listing.draft.title = Erased.text
        listing.draft.description = nil
        listing.draft.condition = Erased.text
        listing.draft.location.address = Erased.text
        listing.photos = listing.photos.map { _ in [] }
        return listing != before
    }

    /// Redacts the demand's text; false when there was nothing left to take.
    public static func redact(_ demand: inout Demand) -> Bool {
        let before = demand
        demand.draft.title = Erased.text
        demand.draft.location.address = Erased.text
        return demand != before
    }

    /// Redacts the addresses a proposal copied from the offer `offerId` (its suggested mission's
    /// pickup or drop-off); false when it has none of that offer's.
    public static func redact(_ proposal: inout MaterialProposal, offer offerId: String) -> Bool {
        let before = proposal
        if proposal.listingId == offerId { proposal.suggestedMission?.pickup.address = Erased.text }
        if proposal.demandId == offerId { proposal.suggestedMission?.dropOff.address = Erased.text }
        return proposal != before
    }

    /// Redacts the listing inside a `listing.shared` copy; false when it is another listing's.
    public static func redact(_ shared: inout ListingShared, listing listingId: String) -> Bool {
        guard shared.listing.id == listingId else { return false }
        return redact(&shared.listing)
    }
}
