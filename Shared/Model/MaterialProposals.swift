import Foundation

/// `matching.tick`: ingest's clock for the materials exchange. Every matcher worker applies the same
/// ticks in the same order (they are all from ingest's stream), so each computes the same
/// proposals, expiries and community shares; the policy rides in the tick so that no worker can
/// disagree about it. `matchers` says how many workers share the announcing at this point of the stream.
public struct MatchingTick: Codable, Sendable, Equatable {
    public static let topic = "matching.tick"
    public var at: Date
    /// How many workers ingest was configured with.
    public var matchers: Int
    /// The matcher workers alive at the tick, by number, which hold the market's parts from this
    /// tick on (docs/decisions/0016); absent in ticks written before, meaning `0..<matchers`.
    public var members: [Int]?
    /// A proposal not answered by both sides within this delay expires and its quantity returns.
    public var proposalTimeoutSeconds: Double
    /// A listing still unmatched this long after publication is shared with the community.
    public var shareAfterSeconds: Double

    public init(at: Date, matchers: Int, members: [Int]? = nil, proposalTimeoutSeconds: Double, shareAfterSeconds: Double) {
        self.at = at; self.matchers = matchers; self.members = members
        self.proposalTimeoutSeconds = proposalTimeoutSeconds; self.shareAfterSeconds = shareAfterSeconds
    }

    /// The workers that hold parts from this tick on.
    public var holders: [Int] { (members ?? Array(0..<max(matchers, 0))).sorted() }
}

/// Which side of a proposal answers.
public enum ProposalSide: String, Codable, Sendable {
    case listing, demand
}

/// `proposal.responded`: one side accepted or declined, as ingest recorded it (ingest checked who may answer).
public struct ProposalResponded: Codable, Sendable, Equatable {
    public static let topic = "proposal.responded"
    public var proposalId: String
    public var listingId: String
    public var demandId: String
    public var side: ProposalSide
    public var accept: Bool
    public var by: String
    public var at: Date

    public init(proposalId: String, listingId: String, demandId: String, side: ProposalSide, accept: Bool, by: String, at: Date) {
        self.proposalId = proposalId; self.listingId = listingId; self.demandId = demandId; self.side = side; self.accept = accept
        self.by = by; self.at = at
    }
}

/// `licence.recorded`: an organisation holds a waste-operator licence for some List of Waste chapters.
public struct LicenceRecorded: Codable, Sendable, Equatable {
    public static let topic = "licence.recorded"
    public var organisationId: String
    public var chapters: [String]
    public var licenceNumber: String
    public var recordedBy: String
    public var at: Date

    public init(organisationId: String, chapters: [String], licenceNumber: String, recordedBy: String, at: Date) {
        self.organisationId = organisationId; self.chapters = chapters; self.licenceNumber = licenceNumber
        self.recordedBy = recordedBy; self.at = at
    }
}

public enum ProposalStatus: String, Codable, Sendable {
    /// Waiting for both sides.
    case proposed
    /// Both sides accepted: the handover is due (QR code + PIN, as for food lots).
    case confirmed
    case declined, expired
    /// The handover was validated.
    case completed
}

/// A proposed match between a surplus listing and a demand, with its logistics plan.
public struct MaterialProposal: Codable, Sendable, Equatable {
    public var id: String
    public var listingId: String
    public var demandId: String
    /// The listing's publisher, and its organisation when it published for one.
    public var giverId: String
    public var giverOrganisationId: String?
    public var takerId: String
    public var takerOrganisationId: String?
    public var lerCode: String
    public var hazardous: Bool
    /// R1–R13 or D1–D15, recorded on every operation on hazardous waste.
    public var treatmentOperation: String?
    public var quantityKg: Double
    public var distanceKm: Double
    public var pickupFrom: Date
    public var pickupUntil: Date
    public var score: Double
    /// The taker asked for transport: a collector mission is suggested.
    public var suggestsMission: Bool
    /// The suggested collector mission, when the taker asked for transport: from the listing's place to the
    /// demand's, in the pickup window.
    public var suggestedMission: SuggestedMission?
    /// Estimated CO2e avoided by this quantity, with the listing's factor version.
    public var co2eAvoidedKg: Double?
    public var factorVersion: String
    public var status: ProposalStatus
    public var listingAccepted: Bool
    public var demandAccepted: Bool
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, listingId: String, demandId: String, giverId: String, giverOrganisationId: String?, takerId: String,
                takerOrganisationId: String?, lerCode: String, hazardous: Bool, treatmentOperation: String?, quantityKg: Double,
                distanceKm: Double, pickupFrom: Date, pickupUntil: Date, score: Double, suggestsMission: Bool, co2eAvoidedKg: Double?,
                factorVersion: String, status: ProposalStatus, listingAccepted: Bool, demandAccepted: Bool, createdAt: Date, expiresAt: Date) {
        self.id = id; self.listingId = listingId; self.demandId = demandId; self.giverId = giverId
        self.giverOrganisationId = giverOrganisationId; self.takerId = takerId; self.takerOrganisationId = takerOrganisationId
        self.lerCode = lerCode; self.hazardous = hazardous; self.treatmentOperation = treatmentOperation; self.quantityKg = quantityKg
        self.distanceKm = distanceKm; self.pickupFrom = pickupFrom; self.pickupUntil = pickupUntil; self.score = score
        self.suggestsMission = suggestsMission; self.co2eAvoidedKg = co2eAvoidedKg; self.factorVersion = factorVersion
        self.status = status; self.listingAccepted = listingAccepted; self.demandAccepted = demandAccepted
        self.createdAt = createdAt; self.expiresAt = expiresAt
    }

    /// A pair is proposed at most once, so its id is derived from the pair: every worker names it alike.
    public static func id(listingId: String, demandId: String) -> String {
        "mp-" + StableHash.hex(listingId + "|" + demandId)
    }
}

/// `handover.validated`: ingest's copy of a validated materials handover (`pickup.completed` with a
/// listing), so that the matcher workers see it in ingest's order.
public struct HandoverValidated: Codable, Sendable, Equatable {
    public static let topic = "handover.validated"
    public var pickup: PickupCompleted
    public init(pickup: PickupCompleted) { self.pickup = pickup }
}

/// A collector mission the matcher suggests with a proposal: what to carry, from where to where, and when.
public struct SuggestedMission: Codable, Sendable, Equatable {
    public var pickup: Place
    public var dropOff: Place
    public var from: Date
    public var until: Date
    public var distanceKm: Double
    public var quantityKg: Double
    public init(pickup: Place, dropOff: Place, from: Date, until: Date, distanceKm: Double, quantityKg: Double) {
        self.pickup = pickup; self.dropOff = dropOff; self.from = from; self.until = until; self.distanceKm = distanceKm; self.quantityKg = quantityKg
    }
}

/// `proposal.created`, `.accepted`, `.confirmed`, `.declined`, `.expired`: the proposal after the change.
public struct ProposalChanged: Codable, Sendable, Equatable {
    public static let createdTopic = "proposal.created"
    public static let acceptedTopic = "proposal.accepted"
    public static let confirmedTopic = "proposal.confirmed"
    public static let declinedTopic = "proposal.declined"
    public static let expiredTopic = "proposal.expired"
    /// Every step's topic.
    public static let topics = [createdTopic, acceptedTopic, confirmedTopic, declinedTopic, expiredTopic]
    public var proposal: MaterialProposal
    public init(proposal: MaterialProposal) { self.proposal = proposal }
}

/// `listing.shared`: a listing nobody matched in time, offered to the community (never a hazardous one).
public struct ListingShared: Codable, Sendable, Equatable {
    public static let topic = "listing.shared"
    public var listing: Listing
    public var remainingKg: Double
    public var sharedAt: Date
    public init(listing: Listing, remainingKg: Double, sharedAt: Date) {
        self.listing = listing; self.remainingKg = remainingKg; self.sharedAt = sharedAt
    }
}

/// `operation.completed`: a materials handover was validated; the quantities reporting counts.
public struct OperationCompleted: Codable, Sendable, Equatable {
    public static let topic = "operation.completed"
    public var operationId: String
    public var listingId: String
    public var demandId: String
    public var giverId: String
    public var takerId: String
    public var lerCode: String
    public var hazardous: Bool
    public var treatmentOperation: String?
    public var quantityKg: Double
    public var co2eAvoidedKg: Double
    public var factorVersion: String
    public var completedAt: Date

    public init(operationId: String, listingId: String, demandId: String, giverId: String, takerId: String, lerCode: String,
                hazardous: Bool, treatmentOperation: String?, quantityKg: Double, co2eAvoidedKg: Double, factorVersion: String, completedAt: Date) {
        self.operationId = operationId; self.listingId = listingId; self.demandId = demandId; self.giverId = giverId
        self.takerId = takerId; self.lerCode = lerCode; self.hazardous = hazardous; self.treatmentOperation = treatmentOperation
        self.quantityKg = quantityKg; self.co2eAvoidedKg = co2eAvoidedKg; self.factorVersion = factorVersion; self.completedAt = completedAt
    }
}

/// Bus requests about proposals: ingest records answers and licences; any matcher worker answers reads
/// (each keeps the whole ledger).
public enum ProposalRequests {
    public static let respond = "proposal.respond"
    public static let recordLicence = "licence.record"
    public static let get = "proposal.get"
    public static let listForAccount = "proposal.list"
    public static let sharedFeed = "listing.shared-feed"

    public struct Respond: Codable, Sendable {
        public var actor: Actor
        public var listingId: String
        public var demandId: String
        public var accept: Bool
        public init(actor: Actor, listingId: String, demandId: String, accept: Bool) {
            self.actor = actor; self.listingId = listingId; self.demandId = demandId; self.accept = accept
        }
    }

    public struct RecordLicence: Codable, Sendable {
        public var actor: Actor
        public var organisationId: String
        public var chapters: [String]
        public var licenceNumber: String
        public init(actor: Actor, organisationId: String, chapters: [String], licenceNumber: String) {
            self.actor = actor; self.organisationId = organisationId; self.chapters = chapters; self.licenceNumber = licenceNumber
        }
    }

    /// One proposal, if `viewer` may see it (a side, a member of a side's organisation, an admin):
    /// the matcher filters in its query.
    public struct Get: Codable, Sendable {
        public var proposalId: String
        public var viewer: Actor
        public init(proposalId: String, viewer: Actor) { self.proposalId = proposalId; self.viewer = viewer }
    }

    public struct ListForAccount: Codable, Sendable {
        public var accountId: String
        public var organisationIds: [String]
        public var limit: Int
        public var offset: Int
        public init(accountId: String, organisationIds: [String], limit: Int, offset: Int) {
            self.accountId = accountId; self.organisationIds = organisationIds; self.limit = limit; self.offset = offset
        }
    }

    public struct Page<Item: Codable & Sendable>: Codable, Sendable {
        public var items: [Item]
        public var total: Int
        public init(items: [Item], total: Int) { self.items = items; self.total = total }
    }

    public struct SharedFeed: Codable, Sendable {
        public var limit: Int
        public var offset: Int
        public init(limit: Int, offset: Int) { self.limit = limit; self.offset = offset }
    }

    public struct SharedItem: Codable, Sendable, Equatable {
        public var listing: Listing
        public var remainingKg: Double
        public var sharedAt: Date
        public init(listing: Listing, remainingKg: Double, sharedAt: Date) { self.listing = listing; self.remainingKg = remainingKg; self.sharedAt = sharedAt }
    }
}

/// A short, stable, non-cryptographic name for a string (two FNV-1a passes, 32 hex digits): the same
/// on every machine and every run.
public enum StableHash {
    public static func hex(_ text: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            return hash
        }
        return String(format: "%016llx%016llx", fnv(0xcbf2_9ce4_8422_2325), fnv(0x84222325cbf29ce4))
    }
}
