import EcoBus
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
@testable import GatewayService
import GRDB
@testable import IngestService
import Logging
@testable import MatcherService
@testable import NotificationsService
import Testing

/// Each purge job against its service's real schema, with a clock the test sets: what is past its
/// period goes, what is not stays, and nothing pending is ever touched.
@Suite("Retention purges")
struct RetentionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400
    static func ago(_ days: Double) -> String { EventTime.format(now.addingTimeInterval(-days * day)) }

    static func store(_ migrations: [Migration]) throws -> DatabasePool {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString).sqlite")
        return try DatabaseOpener.open(at: url, fullSync: false, migrations: BusSchema.migrations + Diagnostics.migrations + migrations)
    }

    @Test("sessions go a week after they ended; reset and email-change codes a day after use or expiry")
    func sessionsAndCodes() throws {
        let database = try Self.store(GatewayService.migrations)
        try database.write { db in
            try db.execute(sql: "INSERT INTO accounts (id, email, password_hash, display_name, created_at) VALUES ('a', 'a@x.org', 'h', 'A', ?)", arguments: [Self.ago(60)])
            for (id, expires, revoked) in [("live", Self.ago(-20), nil), ("expired-8", Self.ago(8), nil), ("expired-6", Self.ago(6), nil),
                                           ("revoked-8", Self.ago(-20), Self.ago(8)), ("revoked-1", Self.ago(-20), Self.ago(1))] {
                try db.execute(
                    sql: "INSERT INTO sessions (id, account_id, refresh_hash, created_at, expires_at, revoked_at) VALUES (?, 'a', ?, ?, ?, ?)",
                    arguments: [id, "hash-\(id)", Self.ago(30), expires, revoked])
            }
            for (hash, expires, used) in [("fresh", -0.01, nil), ("expired-2", 2.0, nil), ("used-2", -0.01, 2.0), ("used-0", -0.01, 0.5)] as [(String, Double, Double?)] {
                try PasswordResetRow(
                    tokenHash: hash, accountId: "a", createdAt: Self.now.addingTimeInterval(-3 * Self.day),
                    expiresAt: Self.now.addingTimeInterval(-expires * Self.day), usedAt: used.map { Self.now.addingTimeInterval(-$0 * Self.day) }
                ).insert(db)
            }
            try EmailChangeRow(tokenHash: "old", accountId: "a", newEmail: "n@x.org", createdAt: Self.now.addingTimeInterval(-5 * Self.day),
                               expiresAt: Self.now.addingTimeInterval(-4 * Self.day)).insert(db)
        }
        let purged = try database.write { db in try SessionRetention().purge(now: Self.now, in: db) }
        #expect(purged == 5)
        let (sessions, resets, changes) = try database.read { db in
            (try String.fetchAll(db, sql: "SELECT id FROM sessions ORDER BY id"), try String.fetchAll(db, sql: "SELECT token_hash FROM password_resets ORDER BY token_hash"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM email_changes"))
        }
        #expect(sessions == ["expired-6", "live", "revoked-1"])
        #expect(resets == ["fresh", "used-0"])
        #expect(changes == 0)
    }

    @Test("a filing's contact goes 30 days after its report closed; open and recently closed reports keep theirs")
    func closedReportContacts() throws {
        let database = try Self.store(IngestService.migrations)
        func report(_ id: String, status: ReportStatus, closedDaysAgo: Double?) -> PublicReport {
            var history = [ReportStatusChange(status: .open, reason: nil, by: "citizen", at: Self.now.addingTimeInterval(-90 * Self.day))]
            if let closedDaysAgo { history.append(ReportStatusChange(status: .closed, reason: "done", by: "marseille", at: Self.now.addingTimeInterval(-closedDaysAgo * Self.day))) }
            return PublicReport(id: id, category: "illegal_dumping", latitude: 43.3, longitude: 5.4, address: nil, description: "d", status: status,
                                jurisdictionId: "marseille", supporters: 0, photos: [], filedAt: Self.now, updatedAt: Self.now, history: history)
        }
        try database.write { db in
            for (id, status, closed) in [("old", ReportStatus.closed, 31.0), ("recent", .closed, 29.0), ("open", .open, nil)] as [(String, ReportStatus, Double?)] {
                let body = try EventCodec.encoder.encode(report(id, status: status, closedDaysAgo: closed))
                try db.execute(sql: "INSERT INTO reports (id, category, latitude, longitude, status, jurisdiction_id, filed_at, body) VALUES (?, 'illegal_dumping', 43.3, 5.4, ?, 'marseille', ?, ?)",
                               arguments: [id, status.rawValue, Self.ago(90), body])
                let contact = try EventCodec.encoder.encode(ReportContact(email: "\(id)@x.org", name: "N", phone: nil))
                try db.execute(sql: "INSERT INTO report_filings (id, report_id, contact, description, filed_at) VALUES (?, ?, ?, 'd', ?)",
                               arguments: ["filing-\(id)", id, contact, Self.ago(90)])
            }
        }
        #expect(try database.write { db in try ClosedReportContacts().purge(now: Self.now, in: db) } == 1)
        let kept = try database.read { db in try String.fetchAll(db, sql: "SELECT report_id FROM report_filings WHERE contact IS NOT NULL ORDER BY report_id") }
        #expect(kept == ["open", "recent"])
        #expect(try database.write { db in try ClosedReportContacts().purge(now: Self.now.addingTimeInterval(2 * Self.day), in: db) } == 1, "two days on, the second")
    }

    @Test("delivered webhooks and their attempts go after 30 days, emails' bodies too; pending ones never")
    func deliveriesAndEmails() throws {
        let database = try Self.store(NotificationsService.migrations)
        try database.write { db in
            try db.execute(sql: "INSERT INTO webhook_subscriptions (id, jurisdiction_id, url, secret, created_by, created_at) VALUES ('w', 'marseille', 'http://h', 's', 'a', ?)",
                           arguments: [Self.ago(90)])
            for (index, status, delivered) in [(1, "delivered", 31.0), (2, "delivered", 29.0), (3, "pending", nil)] as [(Int, String, Double?)] {
                try db.execute(
                    sql: """
                        INSERT INTO webhook_deliveries (subscription_id, report_id, event_id, event_type, sequence, body, status, created_at, delivered_at)
                        VALUES ('w', 'r', ?, 'report.filed', ?, X'7B7D', ?, ?, ?)
                        """, arguments: ["e\(index)", index, status, Self.ago(60), delivered.map(Self.ago)])
                try db.execute(sql: "INSERT INTO webhook_attempts (delivery_id, at, http_status, duration_ms) VALUES (?, ?, 200, 3)", arguments: [index, Self.ago(40)])
            }
            for (index, status, sent) in [(1, "sent", 31.0), (2, "sent", 29.0), (3, "failed", nil), (4, "pending", nil)] as [(Int, String, Double?)] {
                try db.execute(
                    sql: "INSERT INTO email_outbox (dedupe_key, account_id, created_at, subject, body, status, next_attempt_at, sent_at) VALUES (?, 'a', ?, 'S', 'B', ?, ?, ?)",
                    arguments: ["k\(index)", Self.ago(40), status, Self.ago(40), sent.map(Self.ago)])
            }
        }
        #expect(try database.write { db in try WebhookDeliveryRetention().purge(now: Self.now, in: db) } == 2)
        #expect(try database.read { db in try String.fetchAll(db, sql: "SELECT event_id FROM webhook_deliveries ORDER BY event_id") } == ["e2", "e3"])
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_attempts") } == 2)
        #expect(try database.write { db in try EmailBodyRetention().purge(now: Self.now, in: db) } == 2)
        let bodies = try database.read { db in try String.fetchAll(db, sql: "SELECT dedupe_key || '=' || body FROM email_outbox ORDER BY dedupe_key") }
        #expect(bodies == ["k1=", "k2=B", "k3=", "k4=B"], "sent 31 days ago and failed 40 days ago are blanked; the rows stay for their keys")
    }

    @Test("ingest's report events older than 30 days go once a later event of the same report exists")
    func reportEventCompaction() throws {
        let database = try Self.store(IngestService.migrations)
        let outbox = Outbox(producer: "ingest")
        func report(_ id: String, _ status: ReportStatus) -> ReportChanged {
            ReportChanged(report: PublicReport(
                id: id, category: "illegal_dumping", latitude: 43.3, longitude: 5.4, address: nil, description: "d", status: status,
                jurisdictionId: "marseille", supporters: 0, photos: [], filedAt: Self.now, updatedAt: Self.now, history: []))
        }
        try database.write { db in
            try outbox.append(ReportChanged.filedTopic, report("r1", .open), in: db)
            try outbox.append(ReportChanged.statusChangedTopic, report("r1", .acknowledged), in: db)
            try outbox.append(ReportChanged.filedTopic, report("r2", .open), in: db)
            try outbox.append(ReportChanged.statusChangedTopic, report("r1", .closed), in: db)
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence <= 3", arguments: [Self.ago(31)])
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence = 4", arguments: [Self.ago(1)])
        }
        #expect(try database.write { db in try ReportEventCompaction().purge(now: Self.now, in: db) } == 2)
        let left = try database.read { db in try Int64.fetchAll(db, sql: "SELECT sequence FROM bus_outbox ORDER BY sequence") }
        #expect(left == [3, 4], "r2's only event and r1's latest")
    }

    @Test("ingest's old lot events go once a later one of the same lot exists; a matcher replaying what is left from zero holds the same lots")
    func lotEventCompaction() throws {
        let database = try Self.store(IngestService.migrations)
        let outbox = Outbox(producer: "ingest")
        func lot(_ id: String, baskets: Int, version: Int) -> LotChanged {
            let draft = LotDraft(
                title: "Pains", category: .bakery, baskets: baskets, mealsPerBasket: 2, weightPerBasketKg: 1.5, originalValueCents: 1200,
                priceCents: 400, pickupStart: Self.now, pickupEnd: Self.now.addingTimeInterval(3600),
                location: Place(latitude: 43.29, longitude: 5.37, address: "Quai du Port"))
            return LotChanged(lot: Lot(id: id, merchantId: "shop", draft: draft, status: .published, version: version, createdAt: Self.now, updatedAt: Self.now))
        }
        try database.write { db in
            try outbox.append(LotChanged.publishedTopic, lot("l1", baskets: 5, version: 1), in: db)
            try outbox.append(LotChanged.updatedTopic, lot("l1", baskets: 4, version: 2), in: db)
            try outbox.append(LotChanged.publishedTopic, lot("l2", baskets: 3, version: 1), in: db)
            try outbox.append(LotChanged.publishedTopic, lot("l3", baskets: 2, version: 1), in: db)
            try outbox.append(LotWithdrawn.topic, LotWithdrawn(lotId: "l3", merchantId: "shop", withdrawnBy: "shop"), in: db)
            try outbox.append(LotChanged.updatedTopic, lot("l1", baskets: 2, version: 3), in: db)
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence <= 5", arguments: [Self.ago(31)])
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence = 6", arguments: [Self.ago(1)])
        }
        let before = try database.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }
        #expect(try database.write { db in try LotEventCompaction().purge(now: Self.now, in: db) } == 3)
        let left = try database.read { db in try Int64.fetchAll(db, sql: "SELECT sequence FROM bus_outbox ORDER BY sequence") }
        #expect(left == [3, 5, 6], "l2's only event, l3's withdrawal and l1's latest")
        #expect(try Self.matcherLots(replaying: database.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") })
            == Self.matcherLots(replaying: before))
    }

    @Test("ingest's retention leaves its materials stream whole, however old: each market part is rebuilt from it")
    func materialsStreamKept() throws {
        let database = try Self.store(IngestService.migrations)
        let outbox = Outbox(producer: "ingest")
        let tick = MatchingTick(at: Self.now, matchers: 2, proposalTimeoutSeconds: 600, shareAfterSeconds: 60)
        let answer = ProposalResponded(proposalId: "p", listingId: "l", demandId: "d", side: .listing, accept: true, by: "a", at: Self.now)
        let licence = LicenceRecorded(organisationId: "o", chapters: ["17"], licenceNumber: "n", recordedBy: "admin", at: Self.now)
        try database.write { db in
            try outbox.append(MatchingTick.topic, tick, in: db)
            try outbox.append(ProposalResponded.topic, answer, partitionKey: "91:9", in: db)
            try outbox.append(LicenceRecorded.topic, licence, in: db)
            try outbox.append(MatchingTick.topic, tick, in: db)
            try outbox.append(LotWithdrawn.topic, LotWithdrawn(lotId: "l3", merchantId: "shop", withdrawnBy: "shop"), in: db)
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ?", arguments: [Self.ago(400)])
        }
        for job in IngestService.retention { _ = try database.write { db in try job.purge(now: Self.now, in: db) } }
        let left = try database.read { db in try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox ORDER BY sequence") }
        #expect(left == [MatchingTick.topic, ProposalResponded.topic, LicenceRecorded.topic, MatchingTick.topic, LotWithdrawn.topic])
        #expect(try database.read { db in try OutboxCompaction.compactedBelow(db) } == 0)
    }

    @Test("a worker's old reservation events go once a later one of the same reservation exists; the gateway's index and ingest's baskets rebuilt from what is left are the same")
    func reservationEventCompaction() throws {
        let database = try Self.store(MatcherService.migrations)
        let outbox = Outbox(producer: "matcher-0")
        func change(_ id: String, _ status: ReservationStatus, baskets: Int = 1) -> ReservationChanged {
            ReservationChanged(reservation: Reservation(
                id: id, lotId: "l1", takerId: "t-\(id)", merchantId: "shop", organisationId: nil, baskets: baskets, isFree: false,
                pickupStart: Self.now, pickupEnd: Self.now.addingTimeInterval(3600), mealsPerBasket: 2, weightPerBasketKg: 1,
                originalValueCents: 1200, priceCents: 400, status: status, createdAt: Self.now), reason: status == .active ? .reserved : .takerCancelled)
        }
        try database.write { db in
            try outbox.append(ReservationChanged.createdTopic, change("r1", .active, baskets: 2), in: db)
            try outbox.append(ReservationChanged.createdTopic, change("r2", .active), in: db)
            try outbox.append(ReservationChanged.cancelledTopic, change("r1", .cancelled, baskets: 2), in: db)
            try outbox.append(ReservationChanged.createdTopic, change("r3", .active), in: db)
            try outbox.append(ReservationChanged.noShowTopic, change("r3", .noShow), in: db)
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence <= 4", arguments: [Self.ago(31)])
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence = 5", arguments: [Self.ago(1)])
        }
        let before = try database.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }
        #expect(try database.write { db in try ReservationEventCompaction().purge(now: Self.now, in: db) } == 2)
        let after = try database.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }
        #expect(after.count == 3, "r2's creation, r1's cancellation and r3's no-show")
        #expect(try Self.rebuilt(replaying: after) == Self.rebuilt(replaying: before))
        #expect(try Self.rebuilt(replaying: after) == ["index r1 r2 r3", "baskets held 2"])
    }

    /// The gateway's reservation index and ingest's baskets held, each rebuilt in an empty store from `payloads`.
    static func rebuilt(replaying payloads: [Data]) throws -> [String] {
        let gateway = try store(ErasedAccounts.migrations + GatewayService.migrations), ingest = try store(IngestService.migrations)
        let events = try payloads.map { ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: $0), payload: $0) }
        try gateway.write { db in for event in events { try ReservationIndexProjection().apply(event, in: db) } }
        try ingest.write { db in for event in events { try ReservedBaskets().apply(event, in: db) } }
        let index = try gateway.read { db in try String.fetchAll(db, sql: "SELECT id FROM reservation_index ORDER BY id") }
        let held = try ingest.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(baskets), 0) FROM lot_reservations WHERE holds = 1") ?? 0 }
        return ["index " + index.joined(separator: " "), "baskets held \(held)"]
    }

    @Test("a worker's lot handovers go 30 days after they were written; newer ones and other events stay")
    func lotHandoversExpire() throws {
        let database = try Self.store(MatcherService.migrations)
        let outbox = Outbox(producer: "matcher-0")
        let lot = HeldLot(
            id: "l1", merchantId: "shop", organisationId: nil, baskets: 3, isFree: false, mealsPerBasket: 2, weightPerBasketKg: 1,
            originalValueCents: 1200, priceCents: 400, pickupStart: Self.now, pickupEnd: Self.now.addingTimeInterval(3600), status: .published, version: 1)
        try database.write { db in
            for tick in 1...3 {
                try outbox.append(LotHandedOver.topic, LotHandedOver(lot: lot, from: 0, to: 1, tick: Int64(tick), reservations: [], missions: []), in: db)
            }
            try outbox.append(Topic.diagnosticPing, DiagnosticPing(run: "r", index: 0), in: db)
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence IN (1, 2, 4)", arguments: [Self.ago(31)])
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE sequence = 3", arguments: [Self.ago(29)])
        }
        #expect(try database.write { db in try LotHandoverExpiry().purge(now: Self.now, in: db) } == 2)
        let left = try database.read { db in try Int64.fetchAll(db, sql: "SELECT sequence FROM bus_outbox ORDER BY sequence") }
        #expect(left == [3, 4], "the 29-day-old handover and the other event stay")
    }

    @Test("account events go once older than 30 days, replaced by one account.snapshot each; notifications rebuilt from what is left has the same contacts and consents")
    func accountSnapshots() async throws {
        let database = try Self.store(ErasedAccounts.migrations + GatewayService.migrations)
        let outbox = Outbox(producer: "gateway")
        let accounts = SQLiteAccountStore(database: database, outbox: outbox)
        let ana = try await accounts.create(NewAccount(
            email: "ana@example.org", passwordHash: "x", displayName: "Ana", roles: [.customer], consents: [.termsOfUse: "t1", .emailNotifications: "e1"]))
        let bruno = try await accounts.create(NewAccount(email: "bruno@example.org", passwordHash: "x", displayName: "Bruno", roles: [.merchant]))
        _ = try await accounts.withdrawConsent(.emailNotifications, for: ana.id, at: Self.now)
        _ = try await accounts.grantConsent(.emailNotifications, version: "e2", for: bruno.id, at: Self.now)
        try await accounts.createEmailChange(tokenHash: "h", accountID: bruno.id, newEmail: "bruno@shop.example", at: Self.now, expiresAt: Self.now.addingTimeInterval(3600))
        _ = try await accounts.confirmEmailChange(tokenHash: "h", at: Self.now)
        let carol = try await accounts.create(NewAccount(email: "carol@example.org", passwordHash: "x", displayName: "Carol", roles: [.customer]))
        try await database.write { db in
            let marks = AccountSnapshot.replaces.map { _ in "?" }.joined(separator: ", ")
            try db.execute(sql: "UPDATE bus_outbox SET created_at = ? WHERE topic IN (\(marks)) AND instr(CAST(payload AS TEXT), ?) = 0",
                           arguments: [EventTime.format(Date().addingTimeInterval(-31 * Self.day))] + StatementArguments(AccountSnapshot.replaces) + [carol.id])
        }
        let before = try await database.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }

        let job = AccountSnapshots(outbox: outbox)
        // The events were stored at the machine's time, so the job runs at it too.
        #expect(try await database.write { db in try job.purge(now: Date(), in: db) } == 5, "Ana's two events and Bruno's three")
        let topics = try await database.read { db in try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox ORDER BY sequence") }
        #expect(topics == [AccountCreated.topic, AccountSnapshot.topic, AccountSnapshot.topic], "Carol's recent sign-up, then one snapshot each for Ana and Bruno")
        let after = try await database.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }
        #expect(try Self.notificationsState(replaying: after) == Self.notificationsState(replaying: before))
        #expect(try Self.notificationsState(replaying: after) == [
            "\(ana.id) ana@example.org Ana consent 0", "\(bruno.id) bruno@shop.example Bruno consent 1", "\(carol.id) carol@example.org Carol consent 0",
        ].sorted())
        #expect(try await database.write { db in try job.purge(now: Date().addingTimeInterval(40 * Self.day), in: db) } == 1,
                "40 days on, Carol's sign-up goes for a snapshot; old snapshots alone need no other")
        #expect(try await database.read { db in try String.fetchAll(db, sql: "SELECT topic FROM bus_outbox ORDER BY sequence") } == Array(repeating: AccountSnapshot.topic, count: 3))

        // Erasure rewrites a snapshot as it does the sign-up: nothing of Ana is left in the outbox.
        _ = try await database.write { db in try GatewayPersonalData().erase(AccountErased(accountID: ana.id, requestedBy: "self", at: Date()), in: db) }
        let payloads = try await database.read { db in try String.fetchAll(db, sql: "SELECT CAST(payload AS TEXT) FROM bus_outbox") }
        #expect(!payloads.contains { $0.contains("ana@example.org") || $0.contains("\"Ana\"") }, "\(payloads)")
    }

    /// The contacts and email consents a notifications store rebuilt from `payloads` holds.
    static func notificationsState(replaying payloads: [Data]) throws -> [String] {
        let database = try store(ErasedAccounts.migrations + NotificationsService.migrations)
        let events = try payloads.map { ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: $0), payload: $0) }
        try database.write { db in
            for event in events {
                try NotificationRules(email: true).apply(event, in: db)
                try EmailConsents().apply(event, in: db)
            }
        }
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.account_id, c.email, c.display_name, COALESCE(e.granted, 0) AS granted FROM contacts c
                LEFT JOIN email_consents e ON e.account_id = c.account_id ORDER BY c.account_id
                """).map { "\($0["account_id"] as String) \($0["email"] as String) \($0["display_name"] as String) consent \($0["granted"] as Int)" }
        }
    }

    /// The lots (id, baskets, status) a one-worker matcher holds after applying `payloads` from an empty store.
    static func matcherLots(replaying payloads: [Data]) throws -> [String] {
        let database = try store(MatcherService.migrations)
        let book = ReservationBook(database: database, outbox: Outbox(producer: "matcher-0"), worker: 0, workers: 1)
        let handlers = MatcherEventHandlers(book: book, missions: MissionBook(book: book), handover: LotHandover(book: book, logger: Logger(label: "test")))
        try database.write { db in
            for payload in payloads {
                try handlers.apply(ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: payload), payload: payload), in: db)
            }
        }
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, baskets, status FROM lots WHERE status = 'published' ORDER BY id").map { "\($0["id"] as String) \($0["baskets"] as Int)" }
        }
    }

    @Test("the retention service runs every job at its clock's time: dead letters go after 30 days")
    func serviceRunsJobs() async throws {
        let database = try Self.store([])
        try await database.write { db in
            for days in [31.0, 29.0] {
                try db.execute(sql: "INSERT INTO bus_dead_letters (received_at, reason_code, reason, frame_count, frames) VALUES (?, 'x', 'y', 1, X'00')",
                               arguments: [Self.ago(days)])
            }
        }
        let service = RetentionService(jobs: [DeadLetterRetention()], database: database, clock: { Self.now }, logger: Logger(label: "test"))
        #expect(try await service.runOnce() == ["dead_letters": 1])
        #expect(try await service.runOnce() == ["dead_letters": 0])
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_dead_letters") } == 1)
    }
}
