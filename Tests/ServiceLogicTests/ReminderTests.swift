import EcoBus
import EcoModel
import Foundation
import GRDB
import NotificationsService
import Testing

@Suite("Notifications: reminders and emails are made once")
struct ReminderTests {
    @Test("the reminder goes out 30 minutes before the window, once, and by email when SMTP is on")
    func reminder() async throws {
        let store = try TemporaryStore(Inbox.migrations + EmailOutbox.migrations, producer: "notifications")
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let reservation = Reservation(
            id: "r1", lotId: "lot", takerId: "taker", merchantId: "merchant", organisationId: nil, baskets: 1, isFree: true,
            pickupStart: start, pickupEnd: start.addingTimeInterval(3600), mealsPerBasket: 1, weightPerBasketKg: 1,
            originalValueCents: 500, priceCents: 0, status: .active, createdAt: start.addingTimeInterval(-7200))
        let rules = NotificationRules(email: true)
        try await store.pool.write { db in
            for (sequence, (topic, data)) in [
                (AccountCreated.topic, try CloudEventWriter.encode(CloudEvent(source: "gateway", type: AccountCreated.topic, sequence: 1,
                    data: AccountCreated(accountID: "taker", email: "taker@example.org", displayName: "T", roles: [.customer])))),
                (ReservationChanged.createdTopic, try CloudEventWriter.encode(CloudEvent(source: "matcher-0", type: ReservationChanged.createdTopic, sequence: 2,
                    data: ReservationChanged(reservation: reservation, reason: .reserved)))),
            ].enumerated() {
                guard case .event(let event) = InboundMessage.decode([Data(topic.utf8), data]) else { throw RemoteError.badRequest("\(sequence)") }
                try rules.apply(event, in: db)
                try rules.apply(event, in: db)  // delivered again: nothing new
            }
        }
        let scheduler = ReminderScheduler(database: store.pool, email: true)
        #expect(try await scheduler.sendDue(now: start.addingTimeInterval(-31 * 60)) == 0, "not yet")
        #expect(try await scheduler.sendDue(now: start.addingTimeInterval(-30 * 60)) == 1)
        #expect(try await scheduler.sendDue(now: start.addingTimeInterval(-10 * 60)) == 0, "once")
        let kinds = try await store.pool.read { try String.fetchAll($0, sql: "SELECT kind FROM notifications WHERE account_id = 'taker' ORDER BY kind") }
        #expect(kinds == ["reservation.confirmed", "reservation.reminder"])
        let emails = try await store.pool.read { try String.fetchAll($0, sql: "SELECT subject FROM email_outbox WHERE recipient = 'taker@example.org' ORDER BY id") }
        #expect(emails == ["EcoResupply: Reservation confirmed", "EcoResupply: Pickup soon"])
    }
}
