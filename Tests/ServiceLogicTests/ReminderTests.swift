import EcoBus
import EcoModel
import Foundation
import GRDB
@testable import NotificationsService
import Logging
import Testing

@Suite("Notifications: reminders and emails are made once")
struct ReminderTests {
    @Test("the reminder goes out 30 minutes before the window, once, and by email when SMTP is on")
    func reminder() async throws {
        let store = try TemporaryStore(NotificationsService.migrations, producer: "notifications")
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
        let emails = try await store.pool.read { try String.fetchAll($0, sql: "SELECT subject FROM email_outbox WHERE account_id = 'taker' ORDER BY id") }
        #expect(emails == ["EcoResupply: Reservation confirmed", "EcoResupply: Pickup soon"])
        let bodies = try await store.pool.read { try String.fetchAll($0, sql: "SELECT body FROM notifications WHERE account_id = 'taker' ORDER BY kind") }
        #expect(bodies.first?.hasPrefix("1 basket(s) to collect between 18 Nov 12:06 (Paris time) and 18 Nov 13:06 (Paris time).") == true, "\(bodies)")
        #expect(bodies.last == "Your pickup window opens at 18 Nov 12:06 (Paris time).", "\(bodies)")
    }

    @Test("pickup times read the same when many events are worded at once")
    func timesFromManyThreads() async {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let texts = await withTaskGroup(of: String.self) { group in
            for minute in 0..<64 { group.addTask { NotificationRules.time(start.addingTimeInterval(Double(minute % 4) * 60)) } }
            return await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(texts == ["18 Nov 12:06 (Paris time)", "18 Nov 12:07 (Paris time)", "18 Nov 12:08 (Paris time)", "18 Nov 12:09 (Paris time)"])
    }
}

@Suite("Email outbox: an email waits for its recipient's address")
struct EmailOutboxTests {
    @Test("an email queued before account.created arrived is sent once the address is known")
    func waitsForAddress() async throws {
        let store = try TemporaryStore(NotificationsService.migrations, producer: "notifications")
        let now = Date().addingTimeInterval(1)  // the rules stamp the email with the real clock
        let reservation = Reservation(
            id: "r1", lotId: "lot", takerId: "late-taker", merchantId: "merchant", organisationId: nil, baskets: 1, isFree: false,
            pickupStart: now.addingTimeInterval(7200), pickupEnd: now.addingTimeInterval(9000), mealsPerBasket: 1, weightPerBasketKg: 1,
            originalValueCents: 500, priceCents: 200, status: .active, createdAt: now)
        let payload = try CloudEventWriter.encode(CloudEvent(
            source: "matcher-0", type: ReservationChanged.createdTopic, sequence: 1, data: ReservationChanged(reservation: reservation, reason: .reserved)))
        guard case .event(let event) = InboundMessage.decode([Data(ReservationChanged.createdTopic.utf8), payload]) else {
            Issue.record("event did not decode")
            return
        }
        try await store.pool.write { db in try NotificationRules(email: true).apply(event, in: db) }
        // Nobody listens on port 9: a send would fail; with no address known, none is even tried.
        let sender = EmailSender(database: store.pool, client: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 9, from: "a@example.org")), logger: .init(label: "test"))
        #expect(try await sender.sendDue(now: now) == 0)
        let waiting = try await store.pool.read { try Row.fetchOne($0, sql: "SELECT status, attempts, last_error FROM email_outbox") }
        #expect(waiting?["status"] as String? == "pending" && waiting?["attempts"] as Int? == 0)
        #expect(waiting?["last_error"] as String? == "recipient's address unknown")
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO contacts (account_id, email, display_name) VALUES ('late-taker', 'late@example.org', 'Late')")
            try db.execute(sql: "INSERT INTO email_consents (account_id, granted, changed_at) VALUES ('late-taker', 1, '2026-01-01T00:00:00.000Z')")
        }
        _ = try await sender.sendDue(now: now.addingTimeInterval(3))
        let tried = try await store.pool.read { try Row.fetchOne($0, sql: "SELECT attempts FROM email_outbox") }
        #expect(tried?["attempts"] as Int? == 1, "once the address is known, sending is attempted")
    }

    @Test("a notification email to someone who did not consent is held back and never tried")
    func consentHoldsBack() async throws {
        let store = try TemporaryStore(NotificationsService.migrations, producer: "notifications")
        let now = Date().addingTimeInterval(1)
        let created = try CloudEventWriter.encode(CloudEvent(source: "gateway", type: AccountCreated.topic, sequence: 1,
            data: AccountCreated(accountID: "quiet", email: "quiet@example.org", displayName: "Q", roles: [.customer], emailNotifications: false)))
        guard case .event(let event) = InboundMessage.decode([Data(AccountCreated.topic.utf8), created]) else {
            Issue.record("event did not decode")
            return
        }
        try await store.pool.write { db in
            try NotificationRules(email: true).apply(event, in: db)
            try EmailConsents().apply(event, in: db)
            try db.execute(sql: """
                INSERT INTO email_outbox (dedupe_key, account_id, created_at, subject, body, next_attempt_at, needs_consent)
                VALUES ('n', 'quiet', ?, 'S', 'B', ?, 1)
                """, arguments: [EventTime.format(now), EventTime.format(now)])
        }
        let sender = EmailSender(database: store.pool, client: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 9, from: "a@example.org")), logger: .init(label: "test"))
        #expect(try await sender.sendDue(now: now) == 0)
        let held = try await store.pool.read { try Row.fetchOne($0, sql: "SELECT status, attempts FROM email_outbox WHERE dedupe_key = 'n'") }
        #expect(held?["status"] as String? == "no_consent" && held?["attempts"] as Int? == 0)
    }
}
