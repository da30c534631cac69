import EcoBus
import EcoRuntime
import EcoModel
import Foundation
import GRDB
import Synchronization

/// Which events tell whom what. Runs inside the consumer's transaction with the offset update.
public struct NotificationRules: EventHandler {
    /// Takers are reminded this long before their pickup window opens.
    public static let reminderLead: TimeInterval = 30 * 60

    /// Whether taker messages also go by email (SMTP configured).
    let email: Bool

    public init(email: Bool) { self.email = email }

    public var topicPrefixes: [String] { [AccountCreated.topic, AccountSnapshot.topic, "reservation.", PickupCompleted.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let now = Date()
        // Materials handovers ride on reservation events; `MaterialNotificationRules` words them.
        if event.type.hasPrefix("reservation.") || event.type == PickupCompleted.topic,
           let handover = try? event.decodeData(HandoverMarker.self), handover.isMaterials {
            return
        }
        switch event.type {
        case AccountCreated.topic:
            let account = try event.decodeData(AccountCreated.self)
            guard try !ErasedAccounts.contains(account.accountID, in: db) else { return }
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO contacts (account_id, email, display_name) VALUES (?, ?, ?)").execute(
                arguments: [account.accountID, account.email, account.displayName])
        case AccountSnapshot.topic:
            let account = try event.decodeData(AccountSnapshot.self)
            guard try !ErasedAccounts.contains(account.accountID, in: db) else { return }
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO contacts (account_id, email, display_name) VALUES (?, ?, ?)").execute(
                arguments: [account.accountID, account.email, account.displayName])
        case ReservationChanged.createdTopic:
            let reservation = try event.decodeData(ReservationChanged.self).reservation
            let links = ["reservationId": reservation.id, "lotId": reservation.lotId]
            try Inbox.deliver(.init(
                accountId: reservation.takerId, dedupeKey: "\(reservation.id):reserved:taker", kind: "reservation.confirmed",
                title: "Reservation confirmed",
                body: "\(reservation.baskets) basket(s) to collect between \(Self.time(reservation.pickupStart)) and \(Self.time(reservation.pickupEnd)). Show your QR code and PIN at the counter.",
                links: links, byEmail: true), at: now, email: email, in: db)
            try Inbox.deliver(.init(
                accountId: reservation.merchantId, dedupeKey: "\(reservation.id):reserved:merchant", kind: "reservation.received",
                title: "New reservation", body: "\(reservation.baskets) basket(s) reserved.", links: links), at: now, email: email, in: db)
            let remindAt = reservation.pickupStart.addingTimeInterval(-Self.reminderLead)
            guard try !ErasedAccounts.contains(reservation.takerId, in: db) else { return }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO reminders (reservation_id, taker_id, lot_id, remind_at, pickup_start) VALUES (?, ?, ?, ?, ?)").execute(
                arguments: [reservation.id, reservation.takerId, reservation.lotId, EventTime.format(remindAt), EventTime.format(reservation.pickupStart)])
        case ReservationChanged.cancelledTopic:
            let change = try event.decodeData(ReservationChanged.self)
            let reservation = change.reservation
            let links = ["reservationId": reservation.id, "lotId": reservation.lotId]
            let why = change.reason == .lotWithdrawn ? "The merchant withdrew the lot." : "The reservation was cancelled."
            try Inbox.deliver(.init(
                accountId: reservation.takerId, dedupeKey: "\(reservation.id):cancelled:taker", kind: "reservation.cancelled",
                title: "Reservation cancelled", body: why, links: links, byEmail: true), at: now, email: email, in: db)
            if change.reason != .lotWithdrawn {
                try Inbox.deliver(.init(
                    accountId: reservation.merchantId, dedupeKey: "\(reservation.id):cancelled:merchant", kind: "reservation.cancelled",
                    title: "Reservation cancelled", body: "\(reservation.baskets) basket(s) are available again.", links: links), at: now, email: email, in: db)
            }
            try db.cachedStatement(sql: "UPDATE reminders SET sent = 1 WHERE reservation_id = ?").execute(arguments: [reservation.id])
        case ReservationChanged.noShowTopic:
            let reservation = try event.decodeData(ReservationChanged.self).reservation
            try Inbox.deliver(.init(
                accountId: reservation.takerId, dedupeKey: "\(reservation.id):no_show:taker", kind: "reservation.no_show",
                title: "Reservation not collected", body: "The pickup window ended before the basket(s) were collected.",
                links: ["reservationId": reservation.id, "lotId": reservation.lotId], byEmail: true), at: now, email: email, in: db)
        case PickupCompleted.topic:
            let pickup = try event.decodeData(PickupCompleted.self)
            try Inbox.deliver(.init(
                accountId: pickup.takerId, dedupeKey: "\(pickup.reservationId):collected:taker", kind: "pickup.completed",
                title: "Collected", body: "Thank you: \(Self.number(pickup.meals)) meal(s) saved from waste.",
                links: ["reservationId": pickup.reservationId, "lotId": pickup.lotId], byEmail: true), at: now, email: email, in: db)
            try db.cachedStatement(sql: "UPDATE reminders SET sent = 1 WHERE reservation_id = ?").execute(arguments: [pickup.reservationId])
        default:
            break
        }
    }

    /// A pickup time as people read it, with its time zone named (the territory's, Europe/Paris).
    /// Made once: building a `DateFormatter` costs far more than using one, and every reservation
    /// and reminder words two times. The lock keeps the formatter to one thread at a time.
    static func time(_ date: Date) -> String {
        pickupTimeFormatter.withLock { $0.string(from: date) } + " (Paris time)"
    }

    private static let pickupTimeFormatter: Mutex<DateFormatter> = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "Europe/Paris")
        formatter.dateFormat = "d MMM HH:mm"
        return Mutex(formatter)
    }()

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// Reads only whether a reservation or pickup event is a materials handover.
struct HandoverMarker: Codable, Sendable {
    struct Reservation: Codable, Sendable { var listingId: String? }
    var reservation: Reservation?
    var listingId: String?
    var isMaterials: Bool { reservation?.listingId != nil || listingId != nil }
}
