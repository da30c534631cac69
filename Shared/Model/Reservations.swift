import Foundation

public enum ReservationStatus: String, Codable, Sendable, CaseIterable {
    case active, cancelled, collected
    case noShow = "no_show"
}

/// A taker's hold on baskets of a lot, with what downstream services need to know of the lot.
public struct Reservation: Codable, Sendable, Equatable {
    public var id: String
    public var lotId: String
    public var takerId: String
    public var merchantId: String
    public var organisationId: String?
    public var baskets: Int
    public var isFree: Bool
    public var pickupStart: Date
    public var pickupEnd: Date
    public var mealsPerBasket: Double
    public var weightPerBasketKg: Double
    public var originalValueCents: Int
    public var priceCents: Int
    public var status: ReservationStatus
    public var createdAt: Date
    /// Set when the handover is for a materials proposal (the reservation id is then the proposal's);
    /// nil for food lots.
    public var listingId: String?

    public init(id: String, lotId: String, takerId: String, merchantId: String, organisationId: String?, baskets: Int, isFree: Bool,
                pickupStart: Date, pickupEnd: Date, mealsPerBasket: Double, weightPerBasketKg: Double, originalValueCents: Int,
                priceCents: Int, status: ReservationStatus, createdAt: Date) {
        self.id = id; self.lotId = lotId; self.takerId = takerId; self.merchantId = merchantId; self.organisationId = organisationId
        self.baskets = baskets; self.isFree = isFree; self.pickupStart = pickupStart; self.pickupEnd = pickupEnd
        self.mealsPerBasket = mealsPerBasket; self.weightPerBasketKg = weightPerBasketKg
        self.originalValueCents = originalValueCents; self.priceCents = priceCents; self.status = status; self.createdAt = createdAt
    }
}

/// `reservation.created`, `reservation.cancelled`, `reservation.no_show`: the reservation after the change.
public struct ReservationChanged: Codable, Sendable, Equatable {
    public static let createdTopic = "reservation.created"
    public static let cancelledTopic = "reservation.cancelled"
    public static let noShowTopic = "reservation.no_show"
    /// Every reservation topic; each event carries the reservation's whole state after the change.
    public static let topics = [createdTopic, cancelledTopic, noShowTopic]

    public enum Reason: String, Codable, Sendable {
        case reserved, takerCancelled = "taker_cancelled", lotWithdrawn = "lot_withdrawn", notCollected = "not_collected"
    }

    public var reservation: Reservation
    public var reason: Reason

    public init(reservation: Reservation, reason: Reason) {
        self.reservation = reservation
        self.reason = reason
    }
}

/// `pickup.completed`: the merchant validated the handover. Carries the impact of the operation.
public struct PickupCompleted: Codable, Sendable, Equatable {
    public static let topic = "pickup.completed"

    public var reservationId: String
    public var lotId: String
    public var takerId: String
    public var merchantId: String
    public var validatedBy: String
    public var baskets: Int
    public var meals: Double
    public var weightKg: Double
    /// (original value − price) × baskets, in cents.
    public var valueSavedCents: Int
    public var isFree: Bool
    public var completedAt: Date
    /// Set when the handover was for a materials proposal: reporting counts it from `operation.completed` instead.
    public var listingId: String?

    public init(reservationId: String, lotId: String, takerId: String, merchantId: String, validatedBy: String, baskets: Int,
                meals: Double, weightKg: Double, valueSavedCents: Int, isFree: Bool, completedAt: Date) {
        self.reservationId = reservationId; self.lotId = lotId; self.takerId = takerId; self.merchantId = merchantId
        self.validatedBy = validatedBy; self.baskets = baskets; self.meals = meals; self.weightKg = weightKg
        self.valueSavedCents = valueSavedCents; self.isFree = isFree; self.completedAt = completedAt
    }
}

/// Bus requests a matcher worker answers about reservations.
public enum ReservationRequests {
    public static let create = "reservation.create"
    public static let cancel = "reservation.cancel"
    public static let get = "reservation.get"
    public static let listForTaker = "reservation.list"
    public static let listForLot = "reservation.list-for-lot"

    /// Whether `id` can name a reservation: 1 to 64 lowercase ASCII letters, digits and dashes (a UUID, as the gateway mints).
    public static func isValidReservationId(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2d }
    }

    public struct Create: Codable, Sendable {
        public var lotId: String
        public var takerId: String
        public var takerIsBeneficiary: Bool
        public var baskets: Int
        /// The id the caller gives the reservation, so that sending the same command again has one
        /// effect: a worker answers a known id with the reservation it already made. A worker mints
        /// one when it is missing (callers from before idempotent commands).
        public var reservationId: String?
        public init(lotId: String, takerId: String, takerIsBeneficiary: Bool, baskets: Int, reservationId: String? = nil) {
            self.lotId = lotId; self.takerId = takerId; self.takerIsBeneficiary = takerIsBeneficiary; self.baskets = baskets
            self.reservationId = reservationId
        }

        /// Whether `reservation` is what this command made: same lot, taker and baskets.
        public func made(_ reservation: Reservation) -> Bool {
            reservation.lotId == lotId && reservation.takerId == takerId && reservation.baskets == baskets
        }
    }

    public struct Cancel: Codable, Sendable {
        public var reservationId: String
        public var lotId: String
        public var actorId: String
        public init(reservationId: String, lotId: String, actorId: String) {
            self.reservationId = reservationId; self.lotId = lotId; self.actorId = actorId
        }
    }

    public struct Get: Codable, Sendable {
        public var reservationId: String
        /// The reservation's lot, so that a worker the lot is moving to says so instead of "not found".
        public var lotId: String?
        public init(reservationId: String, lotId: String? = nil) { self.reservationId = reservationId; self.lotId = lotId }
    }

    public struct ListForTaker: Codable, Sendable {
        public var takerId: String
        public init(takerId: String) { self.takerId = takerId }
    }

    public struct List: Codable, Sendable {
        public var items: [Reservation]
        public init(items: [Reservation]) { self.items = items }
    }

    /// A lot's reservations for its counter, oldest first; answered with a `Counter`. The gateway
    /// checks that the asker may see the lot's counter before it asks.
    public struct ListForLot: Codable, Sendable {
        public var lotId: String
        /// Only reservations in this state (`active`: the ones waiting); every state when nil.
        public var status: ReservationStatus?
        public init(lotId: String, status: ReservationStatus?) { self.lotId = lotId; self.status = status }
    }

    /// What the counter sees of a reservation: never who took it, nor whether the lot was free.
    public struct CounterItem: Codable, Sendable, Equatable {
        public var id: String
        public var baskets: Int
        public var status: ReservationStatus
        public var createdAt: Date
        public var pickupStart: Date
        public var pickupEnd: Date
        public init(_ reservation: Reservation) {
            id = reservation.id; baskets = reservation.baskets; status = reservation.status; createdAt = reservation.createdAt
            pickupStart = reservation.pickupStart; pickupEnd = reservation.pickupEnd
        }
    }

    public struct Counter: Codable, Sendable {
        public var items: [CounterItem]
        public init(items: [CounterItem]) { self.items = items }
    }
}

/// Bus requests the pickup validator answers about quotas and pickup codes.
public enum PickupRequests {
    public static let claimQuota = "quota.claim"
    public static let releaseQuota = "quota.release"
    public static let code = "pickup.code"
    public static let validate = "pickup.validate"

    /// Baskets of free lots a beneficiary may reserve per calendar day (Europe/Paris), in one
    /// reservation or several: scarce food is shared.
    public static let freeBasketsPerDay = 2

    /// The calendar in which the quota's day is counted.
    public static var quotaCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        return calendar
    }

    /// The quota's day of `date`, e.g. `2026-11-22`.
    public static func quotaDay(_ date: Date) -> String {
        let parts = quotaCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Seconds from `date` until the next quota day starts (for `Retry-After`).
    public static func secondsUntilQuotaResets(from date: Date) -> TimeInterval {
        let calendar = quotaCalendar
        let start = calendar.startOfDay(for: date)
        let next = calendar.date(byAdding: .day, value: 1, to: start) ?? date.addingTimeInterval(86_400)
        return max(1, next.timeIntervalSince(date))
    }

    /// Takes `baskets` of the beneficiary's free baskets for today (one when absent).
    public struct QuotaClaim: Codable, Sendable {
        public var beneficiaryId: String
        public var reservationId: String
        public var baskets: Int?
        public init(beneficiaryId: String, reservationId: String, baskets: Int = 1) {
            self.beneficiaryId = beneficiaryId; self.reservationId = reservationId; self.baskets = baskets
        }
    }

    public struct QuotaRelease: Codable, Sendable {
        public var reservationId: String
        public init(reservationId: String) { self.reservationId = reservationId }
    }

    public struct CodeQuery: Codable, Sendable {
        public var reservationId: String
        public init(reservationId: String) { self.reservationId = reservationId }
    }

    /// What the taker shows at pickup: the token (in the QR code) and the PIN.
    public struct PickupCode: Codable, Sendable, Equatable {
        public var reservationId: String
        public var token: String
        public var pin: String
        public init(reservationId: String, token: String, pin: String) { self.reservationId = reservationId; self.token = token; self.pin = pin }
    }

    public struct Validate: Codable, Sendable {
        public var token: String
        public var pin: String
        public var validator: Actor
        public init(token: String, pin: String, validator: Actor) { self.token = token; self.pin = pin; self.validator = validator }
    }
}

/// Which matcher worker owns a lot: a stable hash of its id modulo the worker count, which every
/// process computes the same way. The owner alone allocates the lot's baskets.
public enum LotOwnership {
    public static func worker(for lotId: String, workers: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64-bit
        for byte in lotId.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(max(workers, 1)))
    }
}

public enum MissionStatus: String, Codable, Sendable {
    case requested, accepted, collected, delivered, cancelled
}

/// A collector mission: an association asks for a lot to be collected; a collector accepts it,
/// collects with the lot's QR + PIN like any taker, and delivers to the association, which
/// confirms with its own code.
public struct Mission: Codable, Sendable, Equatable {
    public var id: String
    public var lotId: String
    public var associationId: String
    public var collectorId: String?
    public var reservationId: String
    public var merchantId: String
    public var baskets: Int
    public var pickupStart: Date
    public var pickupEnd: Date
    public var status: MissionStatus
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, lotId: String, associationId: String, collectorId: String?, reservationId: String, merchantId: String,
                baskets: Int, pickupStart: Date, pickupEnd: Date, status: MissionStatus, createdAt: Date, updatedAt: Date) {
        self.id = id; self.lotId = lotId; self.associationId = associationId; self.collectorId = collectorId
        self.reservationId = reservationId; self.merchantId = merchantId; self.baskets = baskets
        self.pickupStart = pickupStart; self.pickupEnd = pickupEnd; self.status = status; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}

/// `mission.requested`, `mission.accepted`, `mission.collected`, `mission.delivered`: each step.
public struct MissionChanged: Codable, Sendable, Equatable {
    public static let requestedTopic = "mission.requested"
    public static let acceptedTopic = "mission.accepted"
    public static let collectedTopic = "mission.collected"
    public static let deliveredTopic = "mission.delivered"
    /// Every mission topic; each event carries the mission's whole state after the step.
    public static let topics = [requestedTopic, acceptedTopic, collectedTopic, deliveredTopic]

    public var mission: Mission
    public init(mission: Mission) { self.mission = mission }
}

/// Bus requests a matcher worker answers about collector missions.
public enum MissionRequests {
    public static let create = "mission.create"
    public static let accept = "mission.accept"
    public static let deliver = "mission.deliver"
    public static let get = "mission.get"
    public static let list = "mission.list"
    /// Answers `PickupRequests.DeliveryCode` for a `DeliveryCodeOf`.
    public static let deliveryCode = "mission.delivery-code"

    public struct Create: Codable, Sendable {
        public var lotId: String
        public var associationId: String
        public var baskets: Int?
        public init(lotId: String, associationId: String, baskets: Int?) { self.lotId = lotId; self.associationId = associationId; self.baskets = baskets }
    }

    /// The mission and, for the association only, the code it gives the collector at delivery.
    /// The code is missing only if the pickup validator did not answer; `deliveryCode` (the
    /// request) gives it again at any time.
    public struct Created: Codable, Sendable {
        public var mission: Mission
        public var deliveryCode: String?
        public init(mission: Mission, deliveryCode: String?) { self.mission = mission; self.deliveryCode = deliveryCode }
    }

    /// The delivery code of a mission, for its association only.
    public struct DeliveryCodeOf: Codable, Sendable {
        public var missionId: String
        public var associationId: String
        /// As in `Accept`.
        public var lotId: String?
        public init(missionId: String, associationId: String, lotId: String? = nil) {
            self.missionId = missionId; self.associationId = associationId; self.lotId = lotId
        }
    }

    public struct Accept: Codable, Sendable {
        public var missionId: String
        public var collectorId: String
        /// The mission's lot, so that a worker the lot is moving to or from says so instead of "not found".
        public var lotId: String?
        public init(missionId: String, collectorId: String, lotId: String? = nil) {
            self.missionId = missionId; self.collectorId = collectorId; self.lotId = lotId
        }
    }

    public struct Deliver: Codable, Sendable {
        public var missionId: String
        public var actorId: String
        public var deliveryCode: String
        /// As in `Accept`.
        public var lotId: String?
        public init(missionId: String, actorId: String, deliveryCode: String, lotId: String? = nil) {
            self.missionId = missionId; self.actorId = actorId; self.deliveryCode = deliveryCode; self.lotId = lotId
        }
    }

    /// One mission, if `viewer` may see it (the matcher filters in its query).
    public struct Get: Codable, Sendable {
        public var missionId: String
        public var viewer: Viewer
        /// As in `Accept`.
        public var lotId: String?
        public init(missionId: String, viewer: Viewer, lotId: String? = nil) { self.missionId = missionId; self.viewer = viewer; self.lotId = lotId }
    }

    /// Who asks for a mission: its association and collector see it, collectors while it waits, admins always.
    public struct Viewer: Codable, Sendable {
        public var accountId: String
        public var isAdmin: Bool
        public var isCollector: Bool
        public init(accountId: String, isAdmin: Bool, isCollector: Bool) { self.accountId = accountId; self.isAdmin = isAdmin; self.isCollector = isCollector }
    }

    /// Missions waiting for a collector, or those of one account (as association or collector).
    public struct List: Codable, Sendable {
        public var status: MissionStatus?
        public var accountId: String?
        public init(status: MissionStatus?, accountId: String?) { self.status = status; self.accountId = accountId }
    }

    public struct Page: Codable, Sendable {
        public var items: [Mission]
        public init(items: [Mission]) { self.items = items }
    }
}
