import Foundation

/// What a surplus listing offers.
public enum ListingKind: String, Codable, Sendable, CaseIterable {
    case material, equipment, waste
}

/// The units quantities come in; all are normalised to kilograms when a density or unit mass says how.
public enum QuantityUnit: String, Codable, Sendable, CaseIterable {
    case kg, t
    case cubicMetre = "m3"
    case litre = "l"
    case pieces
}

/// On what terms the listing is offered.
public enum ListingTerms: String, Codable, Sendable, CaseIterable {
    case sold, free, donated
}

/// A surplus listing as a company writes it.
public struct ListingDraft: Codable, Sendable, Equatable {
    public var kind: ListingKind
    /// The European List of Waste code: `170504`, `17 05 04` or `17 05 04*`.
    public var lerCode: String
    public var title: String
    public var description: String?
    public var quantity: Double
    public var unit: QuantityUnit
    /// kg per m³ or per litre, for `m3` and `l`.
    public var densityKgPerUnit: Double?
    /// kg per piece, for `pieces`.
    public var unitMassKg: Double?
    public var condition: String
    public var location: Place
    public var availableFrom: Date
    public var availableUntil: Date
    public var terms: ListingTerms
    public var priceCents: Int?
    /// R1–R13 or D1–D15: required for hazardous waste.
    public var treatmentOperation: String?
    public var organisationId: String?

    public init(kind: ListingKind, lerCode: String, title: String, description: String?, quantity: Double, unit: QuantityUnit,
                densityKgPerUnit: Double?, unitMassKg: Double?, condition: String, location: Place, availableFrom: Date,
                availableUntil: Date, terms: ListingTerms, priceCents: Int?, treatmentOperation: String?, organisationId: String?) {
        self.kind = kind; self.lerCode = lerCode; self.title = title; self.description = description; self.quantity = quantity
        self.unit = unit; self.densityKgPerUnit = densityKgPerUnit; self.unitMassKg = unitMassKg; self.condition = condition
        self.location = location; self.availableFrom = availableFrom; self.availableUntil = availableUntil; self.terms = terms
        self.priceCents = priceCents; self.treatmentOperation = treatmentOperation; self.organisationId = organisationId
    }
}

/// The estimated CO2e a listing avoids if reused, and the factor it was computed with.
public struct ImpactLabel: Codable, Sendable, Equatable {
    public var co2eAvoidedKg: Double?
    public var factor: EmissionFactor
    public init(co2eAvoidedKg: Double?, factor: EmissionFactor) { self.co2eAvoidedKg = co2eAvoidedKg; self.factor = factor }
}

/// A published surplus listing. `hazardous` and the code's normal form come from the List of Waste.
public struct Listing: Codable, Sendable, Equatable {
    public var id: String
    public var companyId: String
    public var draft: ListingDraft
    /// Six digits.
    public var lerCode: String
    public var hazardous: Bool
    /// The quantity in kilograms, when it can be known.
    public var quantityKg: Double?
    public var impact: ImpactLabel
    public var version: Int
    public var createdAt: Date
    /// Content hashes of its photos (`GET /v1/photos/{hash}`), in the order they were added.
    public var photos: [String]?

    public init(id: String, companyId: String, draft: ListingDraft, lerCode: String, hazardous: Bool, quantityKg: Double?,
                impact: ImpactLabel, version: Int, createdAt: Date) {
        self.id = id; self.companyId = companyId; self.draft = draft; self.lerCode = lerCode; self.hazardous = hazardous
        self.quantityKg = quantityKg; self.impact = impact; self.version = version; self.createdAt = createdAt
    }
}

/// `listing.published`: a surplus listing with its impact label; `listing.updated`: the listing after a
/// change that leaves its allocation alone (a photo added).
public struct ListingPublished: Codable, Sendable, Equatable {
    public static let topic = "listing.published"
    public static let updatedTopic = "listing.updated"
    /// The listing after its sole-trader publisher was erased: text and photos gone, no longer offered.
    public static let redactedTopic = "listing.redacted"
    public var listing: Listing
    public init(listing: Listing) { self.listing = listing }
}

/// Bus requests ingest answers about surplus listings.
public enum ListingRequests {
    public static let create = "listing.create"
    public static let get = "listing.get"
    /// Adds a photo: a JSON `AddPhoto` frame followed by the photo's bytes.
    public static let addPhoto = "listing.photo.add"

    public struct AddPhoto: Codable, Sendable {
        public var actor: Actor
        public var listingId: String
        public var contentType: String
        public init(actor: Actor, listingId: String, contentType: String) { self.actor = actor; self.listingId = listingId; self.contentType = contentType }
    }

    public struct Create: Codable, Sendable {
        public var actor: Actor
        public var draft: ListingDraft
        public init(actor: Actor, draft: ListingDraft) { self.actor = actor; self.draft = draft }
    }

    public struct Get: Codable, Sendable {
        public var listingId: String
        public init(listingId: String) { self.listingId = listingId }
    }
}

/// What a company or association is looking for.
public struct DemandDraft: Codable, Sendable, Equatable {
    /// Exact List of Waste codes wanted (any form: `170504`, `17 05 04`).
    public var lerCodes: [String]?
    /// Whole chapters wanted, e.g. `17`.
    public var chapters: [String]?
    /// Kinds wanted; all kinds when absent.
    public var kinds: [ListingKind]?
    public var title: String
    public var minimumKg: Double
    public var maximumKg: Double
    public var location: Place
    public var maximumDistanceKm: Double
    public var neededFrom: Date
    public var neededUntil: Date
    /// Whether the taker asks for transport (the matcher then proposes a collector mission).
    public var wantsTransport: Bool?
    public var organisationId: String?

    public init(lerCodes: [String]?, chapters: [String]?, kinds: [ListingKind]?, title: String, minimumKg: Double, maximumKg: Double,
                location: Place, maximumDistanceKm: Double, neededFrom: Date, neededUntil: Date, wantsTransport: Bool?, organisationId: String?) {
        self.lerCodes = lerCodes; self.chapters = chapters; self.kinds = kinds; self.title = title; self.minimumKg = minimumKg
        self.maximumKg = maximumKg; self.location = location; self.maximumDistanceKm = maximumDistanceKm; self.neededFrom = neededFrom
        self.neededUntil = neededUntil; self.wantsTransport = wantsTransport; self.organisationId = organisationId
    }
}

/// A published demand; codes in their six-digit form.
public struct Demand: Codable, Sendable, Equatable {
    public var id: String
    public var requesterId: String
    public var draft: DemandDraft
    public var lerCodes: [String]
    public var chapters: [String]
    public var version: Int
    public var createdAt: Date

    public init(id: String, requesterId: String, draft: DemandDraft, lerCodes: [String], chapters: [String], version: Int, createdAt: Date) {
        self.id = id; self.requesterId = requesterId; self.draft = draft; self.lerCodes = lerCodes; self.chapters = chapters
        self.version = version; self.createdAt = createdAt
    }
}

/// `demand.published`.
public struct DemandPublished: Codable, Sendable, Equatable {
    public static let topic = "demand.published"
    /// The demand after its sole-trader requester was erased: text gone, no longer wanted.
    public static let redactedTopic = "demand.redacted"
    public var demand: Demand
    public init(demand: Demand) { self.demand = demand }
}

/// Bus requests ingest answers about demands.
public enum DemandRequests {
    public static let create = "demand.create"

    public struct Create: Codable, Sendable {
        public var actor: Actor
        public var draft: DemandDraft
        public init(actor: Actor, draft: DemandDraft) { self.actor = actor; self.draft = draft }
    }
}
