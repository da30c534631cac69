import Foundation

/// What kind of food a lot holds.
public enum LotCategory: String, Codable, Sendable, CaseIterable {
    case bakery, fruitVegetables = "fruit_vegetables", dairy, meatFish = "meat_fish", preparedMeals = "prepared_meals", grocery, mixed
}

/// A lot as a merchant writes it (create, or the full new state on edit).
public struct LotDraft: Codable, Sendable, Equatable {
    public var title: String
    public var description: String?
    public var category: LotCategory
    public var baskets: Int
    public var mealsPerBasket: Double
    public var weightPerBasketKg: Double
    /// What the contents would have cost, in cents of euro, per basket.
    public var originalValueCents: Int
    /// What a basket costs now, in cents: 0 (free, for verified beneficiaries) or 30–70% below the original value.
    public var priceCents: Int
    public var pickupStart: Date
    public var pickupEnd: Date
    public var location: Place
    /// The shop or company the merchant publishes for, if any.
    public var organisationId: String?

    public init(title: String, description: String? = nil, category: LotCategory, baskets: Int, mealsPerBasket: Double, weightPerBasketKg: Double,
                originalValueCents: Int, priceCents: Int, pickupStart: Date, pickupEnd: Date, location: Place, organisationId: String? = nil) {
        self.title = title
        self.description = description
        self.category = category
        self.baskets = baskets
        self.mealsPerBasket = mealsPerBasket
        self.weightPerBasketKg = weightPerBasketKg
        self.originalValueCents = originalValueCents
        self.priceCents = priceCents
        self.pickupStart = pickupStart
        self.pickupEnd = pickupEnd
        self.location = location
        self.organisationId = organisationId
    }

    public var isFree: Bool { priceCents == 0 }
}

public enum LotStatus: String, Codable, Sendable, CaseIterable {
    case published, withdrawn
}

/// A published lot.
public struct Lot: Codable, Sendable, Equatable {
    public var id: String
    public var merchantId: String
    public var draft: LotDraft
    public var status: LotStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// Photos by content hash (SHA-256, hex), at most five; served at `/v1/photos/{hash}`.
    public var photos: [String]?

    public init(id: String, merchantId: String, draft: LotDraft, status: LotStatus, version: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.merchantId = merchantId
        self.draft = draft
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var isFree: Bool { draft.isFree }
}

/// `lot.published`, `lot.updated`: the lot's whole state after the change.
public struct LotChanged: Codable, Sendable, Equatable {
    public static let publishedTopic = "lot.published"
    public static let updatedTopic = "lot.updated"

    public var lot: Lot

    public init(lot: Lot) { self.lot = lot }
}

/// `lot.withdrawn`: the merchant took the lot back; its reservations are cancelled.
public struct LotWithdrawn: Codable, Sendable, Equatable {
    public static let topic = "lot.withdrawn"

    public var lotId: String
    public var merchantId: String
    public var withdrawnBy: String

    public init(lotId: String, merchantId: String, withdrawnBy: String) {
        self.lotId = lotId
        self.merchantId = merchantId
        self.withdrawnBy = withdrawnBy
    }
}

/// Who asks ingest to change a lot: the account and the organisations it acts for.
public struct Actor: Codable, Sendable, Equatable {
    public var accountId: String
    public var organisationIds: [String]
    public var isAdmin: Bool

    public init(accountId: String, organisationIds: [String], isAdmin: Bool = false) {
        self.accountId = accountId
        self.organisationIds = organisationIds
        self.isAdmin = isAdmin
    }
}

/// Bus requests ingest answers about lots.
public enum LotRequests {
    public static let create = "lot.create"
    public static let update = "lot.update"
    public static let listMine = "lot.list-mine"
    public static let withdraw = "lot.withdraw"
    public static let get = "lot.get"
    public static let search = "lot.search"
    public static let addPhoto = "lot.photo.add"
    public static let photo = "photo.get"

    /// Adding a photo: the JSON frame is followed by one frame with the image's bytes.
    public struct AddPhoto: Codable, Sendable {
        public var actor: Actor
        public var lotId: String
        public var contentType: String
        public init(actor: Actor, lotId: String, contentType: String) { self.actor = actor; self.lotId = lotId; self.contentType = contentType }
    }

    /// Reading a photo: the reply is a JSON `PhotoInfo` frame followed by the bytes.
    public struct PhotoQuery: Codable, Sendable {
        public var hash: String
        public init(hash: String) { self.hash = hash }
    }

    public struct PhotoInfo: Codable, Sendable {
        public var hash: String
        public var contentType: String
        public var bytes: Int
        public init(hash: String, contentType: String, bytes: Int) { self.hash = hash; self.contentType = contentType; self.bytes = bytes }
    }

    public struct Create: Codable, Sendable {
        public var actor: Actor
        public var draft: LotDraft
        public init(actor: Actor, draft: LotDraft) { self.actor = actor; self.draft = draft }
    }

    public struct Update: Codable, Sendable {
        public var actor: Actor
        public var lotId: String
        public var draft: LotDraft
        /// The version the editor saw; a newer one gives a conflict.
        public var version: Int?
        public init(actor: Actor, lotId: String, draft: LotDraft, version: Int?) {
            self.actor = actor; self.lotId = lotId; self.draft = draft; self.version = version
        }
    }

    public struct Withdraw: Codable, Sendable {
        public var actor: Actor
        public var lotId: String
        public init(actor: Actor, lotId: String) { self.actor = actor; self.lotId = lotId }
    }

    public struct Get: Codable, Sendable {
        public var lotId: String
        /// Whether the viewer may see free lots (a verified beneficiary or an admin).
        public var includeFree: Bool
        /// The viewer's account: a merchant always sees their own lots.
        public var viewerId: String?
        public init(lotId: String, includeFree: Bool, viewerId: String?) {
            self.lotId = lotId; self.includeFree = includeFree; self.viewerId = viewerId
        }
    }

    /// Lots near a point, nearest first.
    public struct Search: Codable, Sendable {
        public var near: GeoPoint
        public var radiusKm: Double
        public var category: LotCategory?
        /// Only lots whose pickup window overlaps [pickupFrom, pickupUntil].
        public var pickupFrom: Date?
        public var pickupUntil: Date?
        /// Free lots are included only for verified beneficiaries.
        public var includeFree: Bool
        public var limit: Int
        public var cursor: String?

        public init(near: GeoPoint, radiusKm: Double, category: LotCategory?, pickupFrom: Date?, pickupUntil: Date?, includeFree: Bool, limit: Int, cursor: String?) {
            self.near = near; self.radiusKm = radiusKm; self.category = category; self.pickupFrom = pickupFrom
            self.pickupUntil = pickupUntil; self.includeFree = includeFree; self.limit = limit; self.cursor = cursor
        }
    }

    public struct SearchHit: Codable, Sendable, Equatable {
        public var lot: Lot
        public var distanceKm: Double
        /// Baskets not yet reserved, as ingest last heard from the matcher (a moment behind it;
        /// the matcher alone decides a reservation).
        public var basketsLeft: Int
        public init(lot: Lot, distanceKm: Double, basketsLeft: Int) { self.lot = lot; self.distanceKm = distanceKm; self.basketsLeft = basketsLeft }
    }

    public struct SearchPage: Codable, Sendable {
        public var items: [SearchHit]
        public var nextCursor: String?
        public init(items: [SearchHit], nextCursor: String?) { self.items = items; self.nextCursor = nextCursor }
    }

    /// The lots the actor published or that belong to one of their organisations, newest first.
    /// Answered with a `DetailPage`.
    public struct ListMine: Codable, Sendable {
        public var actor: Actor
        /// Only lots in this state; every state when nil.
        public var status: LotStatus?
        public var limit: Int
        public var cursor: String?
        public init(actor: Actor, status: LotStatus?, limit: Int, cursor: String?) {
            self.actor = actor; self.status = status; self.limit = limit; self.cursor = cursor
        }
    }

    /// A lot with the baskets not yet reserved, as `get` and `listMine` answer: the lot's own
    /// fields and `basketsLeft` side by side in one JSON object.
    public struct Detail: Codable, Sendable, Equatable {
        public var lot: Lot
        /// Baskets not yet reserved, as ingest last heard from the matcher.
        public var basketsLeft: Int
        public init(lot: Lot, basketsLeft: Int) { self.lot = lot; self.basketsLeft = basketsLeft }

        enum CodingKeys: String, CodingKey { case basketsLeft }

        public init(from decoder: any Decoder) throws {
            lot = try Lot(from: decoder)
            basketsLeft = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .basketsLeft)
        }

        public func encode(to encoder: any Encoder) throws {
            try lot.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(basketsLeft, forKey: .basketsLeft)
        }
    }

    public struct DetailPage: Codable, Sendable {
        public var items: [Detail]
        public var nextCursor: String?
        public init(items: [Detail], nextCursor: String?) { self.items = items; self.nextCursor = nextCursor }
    }
}
