import Foundation

/// Which matcher worker holds a food lot (docs/decisions/0017): the rendezvous holder of the lot's
/// id among the members of the latest `matching.tick`. A member joining or leaving moves only the
/// lots it takes or gives. Before any tick, the holder is `LotOwnership`'s over the configured
/// workers, as it always was, so that a store from before keeps its lots until the first tick
/// moves them. The gateway routes by it, and the workers hand lots over when it changes.
public enum LotHolders {
    /// The worker that holds `lotId` among `members` (worker numbers); nil when there are none.
    public static func holder(of lotId: String, members: [Int]) -> Int? {
        MarketParts.holder(of: lotId, members: members)
    }

    /// The holder under the latest tick's `members`, or, before any tick, among `configured` workers.
    public static func holder(of lotId: String, members: [Int]?, configured: Int) -> Int {
        guard let members else { return LotOwnership.worker(for: lotId, workers: configured) }
        return holder(of: lotId, members: members) ?? 0
    }

    /// The members taken until a tick names them: workers 0 to `configured` − 1.
    public static func configuredMembers(_ configured: Int) -> [Int] { Array(0..<max(configured, 1)) }
}

/// `lot.handed-over`: a matcher worker gives a food lot, with every reservation and mission it has
/// on it, to the worker that holds it from a tick on (docs/decisions/0017). The taker allocates the
/// lot's baskets only once it has applied this event, so a basket is neither sold twice nor lost.
public struct LotHandedOver: Codable, Sendable, Equatable {
    public static let topic = "lot.handed-over"

    public var lot: HeldLot
    /// The worker that gives the lot, and the one that takes it.
    public var from: Int
    public var to: Int
    /// Ingest's sequence of the tick that moved the lot.
    public var tick: Int64
    public var reservations: [Reservation]
    public var missions: [HandedMission]

    public init(lot: HeldLot, from: Int, to: Int, tick: Int64, reservations: [Reservation], missions: [HandedMission]) {
        self.lot = lot; self.from = from; self.to = to; self.tick = tick; self.reservations = reservations; self.missions = missions
    }
}

/// What a matcher worker keeps of a lot to allocate its baskets: the lot's terms at `version`.
public struct HeldLot: Codable, Sendable, Equatable {
    public var id: String
    public var merchantId: String
    public var organisationId: String?
    public var baskets: Int
    public var isFree: Bool
    public var mealsPerBasket: Double
    public var weightPerBasketKg: Double
    public var originalValueCents: Int
    public var priceCents: Int
    public var pickupStart: Date
    public var pickupEnd: Date
    public var status: LotStatus
    public var version: Int

    public init(
        id: String, merchantId: String, organisationId: String?, baskets: Int, isFree: Bool, mealsPerBasket: Double, weightPerBasketKg: Double,
        originalValueCents: Int, priceCents: Int, pickupStart: Date, pickupEnd: Date, status: LotStatus, version: Int
    ) {
        self.id = id; self.merchantId = merchantId; self.organisationId = organisationId; self.baskets = baskets; self.isFree = isFree
        self.mealsPerBasket = mealsPerBasket; self.weightPerBasketKg = weightPerBasketKg; self.originalValueCents = originalValueCents
        self.priceCents = priceCents; self.pickupStart = pickupStart; self.pickupEnd = pickupEnd; self.status = status; self.version = version
    }

    /// The terms of an ingest lot.
    public init(_ lot: Lot) {
        self.init(
            id: lot.id, merchantId: lot.merchantId, organisationId: lot.draft.organisationId, baskets: lot.draft.baskets, isFree: lot.isFree,
            mealsPerBasket: lot.draft.mealsPerBasket, weightPerBasketKg: lot.draft.weightPerBasketKg,
            originalValueCents: lot.draft.originalValueCents, priceCents: lot.draft.priceCents, pickupStart: lot.draft.pickupStart,
            pickupEnd: lot.draft.pickupEnd, status: lot.status, version: lot.version)
    }
}

/// A mission moving with its lot.
public struct HandedMission: Codable, Sendable, Equatable {
    public var mission: Mission
    /// Empty: the pickup validator derives and checks the delivery code (docs/decisions/0006). Only
    /// a mission created before that carries the hash of the random code it was shown.
    public var deliveryCodeHash: String

    public init(mission: Mission, deliveryCodeHash: String) { self.mission = mission; self.deliveryCodeHash = deliveryCodeHash }
}

/// `lot.worker-released`: an operator declared matcher worker `worker` lost for good
/// (`ecoresupply lots release --worker N`, docs/decisions/0017 step 3). Ingest appends it after a
/// tick that no longer names the worker. Each worker that awaits a lot from it (or owes it on)
/// rebuilds the lot from the reservations it heard the lost worker relay, and holds it or passes
/// it on; what the lost worker made and never relayed is gone.
public struct LotWorkerReleased: Codable, Sendable, Equatable {
    public static let topic = "lot.worker-released"

    public var worker: Int
    /// The members of the latest tick when the release was made.
    public var members: [Int]
    public var releasedAt: Date

    public init(worker: Int, members: [Int], releasedAt: Date) {
        self.worker = worker; self.members = members; self.releasedAt = releasedAt
    }
}

/// Ingest's request to release a lost matcher worker's food lots.
public enum LotReleaseRequests {
    public static let release = "lot.release-worker"

    /// Asks ingest to release `worker`; answered with the `LotWorkerReleased` it appended and its sequence.
    public struct Release: Codable, Sendable {
        public var worker: Int
        public init(worker: Int) { self.worker = worker }
    }

    public struct Released: Codable, Sendable, Equatable {
        public var release: LotWorkerReleased
        /// The sequence of the event in ingest's stream.
        public var sequence: Int64
        public init(release: LotWorkerReleased, sequence: Int64) { self.release = release; self.sequence = sequence }
    }
}
