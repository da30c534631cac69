import Crypto
import EcoBus
import EcoModel
import Foundation
import GRDB
import NotificationsService
import Testing

@Suite("Webhooks: signature, back-off, fan-out and per-report order")
struct WebhookTests {
    // MARK: Signature

    @Test("the signature is the hex HMAC-SHA256 of \"<t>.<body>\" keyed with the secret (vector from Python's hmac)")
    func signature() {
        let body = Data(#"{"specversion":"1.0","id":"e1"}"#.utf8)
        let expected = "d966bf38b62556ba95dcc4a308d03663dd551edf8c3a0ef66e2072eb4cc6a2b5"
        #expect(WebhookSignature.hex(secret: "whsec_test_0123456789", timestamp: 1_700_000_000, body: body) == expected)
        #expect(WebhookSignature.header(secret: "whsec_test_0123456789", timestamp: 1_700_000_000, body: body) == "t=1700000000,v1=\(expected)")
        #expect(WebhookSignature.hex(secret: "whsec_test_0123456789", timestamp: 1_700_000_001, body: body) != expected, "the time is signed")
        #expect(WebhookSignature.hex(secret: "another_secret_of_length", timestamp: 1_700_000_000, body: body) != expected)
    }

    // MARK: Back-off

    @Test("retries wait base × 2^(n−1), capped, and go on forever at the cap")
    func backoff() {
        let settings = WebhookSettings(retryBase: 2, retryMax: 600)
        #expect((1...11).map { settings.delay(afterAttempts: $0) } == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600])
        #expect(settings.delay(afterAttempts: 10_000) == 600, "no overflow after many attempts")
        let fast = WebhookSettings(retryBase: 0.1, retryMax: 0.5)
        #expect((1...5).map { fast.delay(afterAttempts: $0) } == [0.1, 0.2, 0.4, 0.5, 0.5])
    }

    // MARK: Fan-out and order

    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func report(_ id: String, jurisdiction: String?, status: ReportStatus = .open) -> PublicReport {
        PublicReport(
            id: id, category: "illegal_dumping", latitude: 43.29, longitude: 5.37, address: nil, description: "d", status: status,
            jurisdictionId: jurisdiction, supporters: 0, photos: [], filedAt: t0, updatedAt: t0, history: [])
    }

    /// The event as the consumer hands it to handlers, and its exact bytes.
    static func event(_ sequence: Int64, _ topic: String, _ report: PublicReport, previous: String? = nil) throws -> (ReceivedEvent, Data) {
        let payload = try CloudEventWriter.encode(CloudEvent(
            id: "event-\(sequence)", source: "ingest", type: topic, sequence: sequence, data: ReportChanged(report: report, previousJurisdictionId: previous)))
        guard case .event(let event) = InboundMessage.decode([Data(topic.utf8), payload]) else { throw RemoteError.badRequest("undecodable") }
        return (event, payload)
    }

    static func subscribe(_ store: TemporaryStore, _ id: String, _ jurisdiction: String, revoked: Bool = false) throws {
        try store.pool.write { db in
            try db.execute(
                sql: "INSERT INTO webhook_subscriptions (id, jurisdiction_id, url, secret, created_by, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [id, jurisdiction, "http://127.0.0.1:9/\(id)", "0123456789abcdef", "acct", EventTime.format(t0),
                            revoked ? EventTime.format(t0) : nil])
        }
    }

    static func due(_ store: TemporaryStore, at date: Date, excluding: Set<Int64> = [], limit: Int = 100) throws -> (due: [DueDelivery], nextAt: Date?) {
        try store.pool.read { try WebhookQueue.due(at: date, excluding: excluding, limit: limit, in: $0) }
    }

    @Test("each report event is queued once per active webhook of its jurisdiction, body as received; the admin queue goes to nobody")
    func fanOut() async throws {
        let store = try TemporaryStore(WebhookSchema.migrations, producer: "notifications")
        try Self.subscribe(store, "a", "marseille")
        try Self.subscribe(store, "b", "marseille")
        try Self.subscribe(store, "old", "marseille", revoked: true)
        try Self.subscribe(store, "metro", "metropole")
        let wake = WakeSignal()
        let fanOut = WebhookFanOut(wake: wake)
        let (filed, filedBytes) = try Self.event(1, ReportChanged.filedTopic, Self.report("r1", jurisdiction: "marseille"))
        let (queued, _) = try Self.event(2, ReportChanged.filedTopic, Self.report("r2", jurisdiction: nil))
        try await store.pool.write { db in
            try fanOut.apply(filed, in: db)
            try fanOut.apply(filed, in: db)  // the same event again: nothing new
            try fanOut.apply(queued, in: db)
        }
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT subscription_id, report_id, event_id, event_type, sequence, body, status FROM webhook_deliveries ORDER BY subscription_id")
        }
        #expect(rows.map { $0["subscription_id"] as String } == ["a", "b"])
        #expect(rows.allSatisfy { ($0["body"] as Data) == filedBytes && ($0["event_id"] as String) == "event-1" && ($0["sequence"] as Int64) == 1 })
        #expect(rows.allSatisfy { ($0["report_id"] as String) == "r1" && ($0["status"] as String) == "pending" })
        // The commit woke the dispatcher: a wait returns at once.
        let clock = ContinuousClock()
        let waited = await clock.measure { await wake.wait(upTo: .seconds(5)) }
        #expect(waited < .seconds(1))
    }

    @Test("a report routed away: its report.routed goes to the new jurisdiction's webhooks and to the old one's, then only to the new")
    func routedAway() async throws {
        let store = try TemporaryStore(WebhookSchema.migrations, producer: "notifications")
        try Self.subscribe(store, "city", "marseille")
        try Self.subscribe(store, "agency", "ofb")
        let fanOut = WebhookFanOut(wake: WakeSignal())
        try await store.pool.write { db in
            try fanOut.apply(try Self.event(1, ReportChanged.filedTopic, Self.report("r1", jurisdiction: "marseille")).0, in: db)
            try fanOut.apply(try Self.event(2, ReportChanged.routedTopic, Self.report("r1", jurisdiction: "ofb"), previous: "marseille").0, in: db)
            try fanOut.apply(try Self.event(3, ReportChanged.statusChangedTopic, Self.report("r1", jurisdiction: "ofb")).0, in: db)
        }
        let rows = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT subscription_id, sequence FROM webhook_deliveries ORDER BY subscription_id, sequence")
                .map { "\($0["subscription_id"] as String):\($0["sequence"] as Int64)" }
        }
        #expect(rows == ["agency:2", "agency:3", "city:1", "city:2"])
    }

    @Test("only the oldest pending delivery of each webhook-and-report chain is due; a failure holds back what follows until it succeeds")
    func ordering() async throws {
        let store = try TemporaryStore(WebhookSchema.migrations, producer: "notifications")
        try Self.subscribe(store, "a", "marseille")
        try Self.subscribe(store, "b", "marseille")
        let fanOut = WebhookFanOut(wake: WakeSignal())
        try await store.pool.write { db in
            for (sequence, topic, report) in [
                (Int64(10), ReportChanged.filedTopic, "r1"), (11, ReportChanged.filedTopic, "r2"), (12, ReportChanged.supportedTopic, "r1"),
                (13, ReportChanged.statusChangedTopic, "r1"), (14, ReportChanged.statusChangedTopic, "r2"),
            ] {
                try fanOut.apply(try Self.event(sequence, topic, Self.report(report, jurisdiction: "marseille")).0, in: db)
            }
        }
        let settings = WebhookSettings(retryBase: 2, retryMax: 600)
        let now = Date()
        func heads(_ due: [DueDelivery]) -> Set<String> { Set(due.map { "\($0.subscriptionId):\($0.reportId):\($0.sequence)" }) }

        var round = try Self.due(store, at: now)
        #expect(heads(round.due) == ["a:r1:10", "a:r2:11", "b:r1:10", "b:r2:11"], "one head per chain")
        #expect(round.nextAt == nil)
        let a1 = try #require(round.due.first { $0.subscriptionId == "a" && $0.sequence == 10 })
        #expect(a1.url == "http://127.0.0.1:9/a" && a1.eventType == ReportChanged.filedTopic && a1.attempts == 0)

        // In flight: not handed out twice, and what follows it waits.
        round = try Self.due(store, at: now, excluding: [a1.id])
        #expect(heads(round.due) == ["a:r2:11", "b:r1:10", "b:r2:11"])
        #expect(try Self.due(store, at: now, limit: 2).due.count == 2)

        // a:r1:10 fails: it comes back after the back-off, and a:r1:12 stays behind it meanwhile.
        _ = try await store.pool.write { db in
            try WebhookQueue.record(WebhookAttempt(at: now, httpStatus: 500, error: nil, durationMs: 1000), for: a1.id, settings: settings, in: db)
        }
        round = try Self.due(store, at: now.addingTimeInterval(2.5))
        #expect(heads(round.due) == ["a:r2:11", "b:r1:10", "b:r2:11"], "a:r1:12 must not overtake the failed a:r1:10")
        #expect(abs((round.nextAt ?? .distantPast).timeIntervalSince(now.addingTimeInterval(3))) < 0.01, "retry 2 s after the attempt's end")
        round = try Self.due(store, at: now.addingTimeInterval(3))
        #expect(heads(round.due).contains("a:r1:10"))
        let retried = try #require(round.due.first { $0.id == a1.id })
        #expect(retried.attempts == 1)

        // It succeeds: the next of its chain is due at once, then the one after.
        _ = try await store.pool.write { db in
            try WebhookQueue.record(WebhookAttempt(at: now.addingTimeInterval(3), httpStatus: 204, error: nil, durationMs: 5), for: a1.id, settings: settings, in: db)
        }
        round = try Self.due(store, at: now.addingTimeInterval(3))
        #expect(heads(round.due) == ["a:r1:12", "a:r2:11", "b:r1:10", "b:r2:11"])
        let a12 = try #require(round.due.first { $0.subscriptionId == "a" && $0.sequence == 12 })
        try await store.pool.write { db in
            try WebhookQueue.record(WebhookAttempt(at: now, httpStatus: nil, error: "connection refused", durationMs: 1), for: a12.id, settings: settings, in: db)
            try WebhookQueue.record(WebhookAttempt(at: now, httpStatus: 200, error: nil, durationMs: 1), for: a12.id, settings: settings, in: db)
        }
        #expect(heads(try Self.due(store, at: now.addingTimeInterval(3)).due).contains("a:r1:13"))

        let log = try await store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.sequence, d.status, d.attempts, a.http_status, a.error FROM webhook_attempts a
                JOIN webhook_deliveries d ON d.id = a.delivery_id ORDER BY a.id
                """).map { "\($0["sequence"] as Int64):\($0["http_status"] as Int? ?? 0):\($0["error"] as String? ?? "")" }
        }
        #expect(log == ["10:500:", "10:204:", "12:0:connection refused", "12:200:"])
        let delivered = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, attempts, delivered_at, next_attempt_at FROM webhook_deliveries WHERE status = 'delivered' ORDER BY sequence")
        }
        #expect(delivered.map { $0["sequence"] as Int64 } == [10, 12])
        #expect(delivered.map { $0["attempts"] as Int } == [2, 2])
        #expect(delivered.allSatisfy { ($0["delivered_at"] as String?) != nil && ($0["next_attempt_at"] as String?) == nil })

        // A revoked webhook gets nothing more.
        try await store.pool.write { db in try db.execute(sql: "UPDATE webhook_subscriptions SET revoked_at = ? WHERE id = 'b'", arguments: [EventTime.format(now)]) }
        #expect(try Self.due(store, at: now.addingTimeInterval(3)).due.allSatisfy { $0.subscriptionId == "a" })
    }

    // MARK: Registration rules

    @Test("registration: http(s) URLs up to 2000 characters without credentials, secrets of 16 to 200 characters, known jurisdictions only")
    func registration() async throws {
        #expect(try WebhookRegistry.validate(url: "https://city.example/hooks/reports?x=1") == "https://city.example/hooks/reports?x=1")
        #expect(try WebhookRegistry.validate(url: " http://127.0.0.1:8081/in ") == "http://127.0.0.1:8081/in")
        for bad in ["", "ftp://city.example/x", "city.example/x", "https://", "https://user:pw@city.example/x", "https://city.example/x#frag",
                    "https://city.example/" + String(repeating: "a", count: 2000), "javascript:alert(1)"] {
            #expect(throws: RemoteError.self, "\(bad.prefix(40))") { try WebhookRegistry.validate(url: bad) }
        }
        #expect(throws: Never.self) { try WebhookRegistry.validate(secret: String(repeating: "s", count: 16)) }
        #expect(throws: Never.self) { try WebhookRegistry.validate(secret: String(repeating: "s", count: 200)) }
        for bad in [String(repeating: "s", count: 15), String(repeating: "s", count: 201), "0123456789abcdef\n"] {
            #expect(throws: RemoteError.self) { try WebhookRegistry.validate(secret: bad) }
        }

        let store = try TemporaryStore(WebhookSchema.migrations, producer: "notifications")
        let registry = WebhookRegistry(database: store.pool, jurisdictions: ["marseille", "metropole"], secrets: Self.secrets)
        let created = try await registry.register(.init(jurisdictionId: "marseille", url: "https://city.example/in", secret: "0123456789abcdef", createdBy: "acct"))
        #expect(created.jurisdictionId == "marseille" && created.revokedAt == nil)
        await #expect(throws: RemoteError.notFound("no jurisdiction atlantis")) {
            _ = try await registry.register(.init(jurisdictionId: "atlantis", url: "https://city.example/in", secret: "0123456789abcdef", createdBy: "acct"))
        }
        let listed = try await registry.list(jurisdictionId: "marseille")
        #expect(listed == [created])
        let encoded = String(decoding: try EventCodec.encoder.encode(WebhookRequests.List(items: listed)), as: UTF8.self)
        #expect(!encoded.contains("0123456789abcdef"), "the secret is never sent back")
        #expect(try await registry.list(jurisdictionId: "metropole").isEmpty)
        await #expect(throws: RemoteError.self) { try await registry.revoke(.init(jurisdictionId: "metropole", subscriptionId: created.id)) }
        try await registry.revoke(.init(jurisdictionId: "marseille", subscriptionId: created.id))
        await #expect(throws: RemoteError.self) { try await registry.revoke(.init(jurisdictionId: "marseille", subscriptionId: created.id)) }
        #expect(try await registry.list(jurisdictionId: "marseille").first?.revokedAt != nil)
    }

    static let secrets = WebhookSecrets(key: SymmetricKey(size: .bits256))

    @Test("secrets are stored sealed, opened only with the key; secrets stored before are sealed at start")
    func secretsAtRest() async throws {
        let store = try TemporaryStore(WebhookSchema.migrations, producer: "notifications")
        let registry = WebhookRegistry(database: store.pool, jurisdictions: ["marseille"], secrets: Self.secrets)
        let hook = try await registry.register(.init(jurisdictionId: "marseille", url: "https://city.example/in", secret: "0123456789abcdef", createdBy: "acct"))
        let stored = try await store.pool.read { try String.fetchOne($0, sql: "SELECT secret FROM webhook_subscriptions WHERE id = ?", arguments: [hook.id]) }
        let sealed = try #require(stored)
        #expect(sealed.hasPrefix(WebhookSecrets.prefix) && !sealed.contains("0123456789abcdef"))
        #expect(try Self.secrets.open(sealed) == "0123456789abcdef")
        #expect(throws: (any Error).self) { try WebhookSecrets(key: SymmetricKey(size: .bits256)).open(sealed) }
        try await store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_subscriptions (id, jurisdiction_id, url, secret, created_by, created_at)
                VALUES ('old', 'marseille', 'https://city.example/old', 'a plain old secret!', 'acct', '2026-01-01T00:00:00.000Z')
                """)
        }
        #expect(try Self.secrets.sealStored(in: store.pool) == 1)
        #expect(try Self.secrets.sealStored(in: store.pool) == 0, "once")
        let old = try await store.pool.read { try String.fetchOne($0, sql: "SELECT secret FROM webhook_subscriptions WHERE id = 'old'") }
        #expect(try Self.secrets.open(try #require(old)) == "a plain old secret!")

        // The key file: made with mode 0600, read back the same.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString).key")
        let made = try WebhookSecrets.load(keyFile: file)
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try WebhookSecrets.load(keyFile: file).open(try made.seal("x-secret-value-1")) == "x-secret-value-1")
        try Data("short".utf8).write(to: file)
        #expect(throws: WebhookSecretsError.self) { try WebhookSecrets.load(keyFile: file) }
    }

    @Test("the delivery log pages newest first, with each delivery's attempts oldest first")
    func deliveryLog() async throws {
        let store = try TemporaryStore(WebhookSchema.migrations, producer: "notifications")
        let registry = WebhookRegistry(database: store.pool, jurisdictions: ["marseille"], secrets: Self.secrets)
        let hook = try await registry.register(.init(jurisdictionId: "marseille", url: "https://city.example/in", secret: "0123456789abcdef", createdBy: "acct"))
        let fanOut = WebhookFanOut(wake: WakeSignal())
        try await store.pool.write { db in
            for sequence in Int64(1)...5 {
                try fanOut.apply(try Self.event(sequence, ReportChanged.filedTopic, Self.report("r\(sequence)", jurisdiction: "marseille")).0, in: db)
            }
        }
        let first = try #require(try Self.due(store, at: Date()).due.first { $0.sequence == 1 })
        try await store.pool.write { db in
            try WebhookQueue.record(WebhookAttempt(at: Self.t0, httpStatus: 503, error: nil, durationMs: 3), for: first.id, settings: WebhookSettings(), in: db)
            try WebhookQueue.record(WebhookAttempt(at: Self.t0.addingTimeInterval(2), httpStatus: 200, error: nil, durationMs: 4), for: first.id, settings: WebhookSettings(), in: db)
        }
        let page1 = try await registry.deliveries(.init(jurisdictionId: "marseille", subscriptionId: hook.id, limit: 3, cursor: nil))
        #expect(page1.items.map(\.sequence) == [5, 4, 3])
        let cursor = try #require(page1.nextCursor)
        let page2 = try await registry.deliveries(.init(jurisdictionId: "marseille", subscriptionId: hook.id, limit: 3, cursor: cursor))
        #expect(page2.items.map(\.sequence) == [2, 1])
        #expect(page2.nextCursor == nil)
        let delivered = try #require(page2.items.last)
        #expect(delivered.status == .delivered && delivered.attempts == 2 && delivered.nextAttemptAt == nil && delivered.deliveredAt != nil)
        #expect(delivered.recentAttempts.map(\.httpStatus) == [503, 200])
        #expect(page2.items.first?.status == .pending && page2.items.first?.recentAttempts.isEmpty == true)
        await #expect(throws: RemoteError.self) {
            _ = try await registry.deliveries(.init(jurisdictionId: "marseille", subscriptionId: "nope", limit: 3, cursor: nil))
        }
        await #expect(throws: RemoteError.self) {
            _ = try await registry.deliveries(.init(jurisdictionId: "marseille", subscriptionId: hook.id, limit: 3, cursor: "x"))
        }
    }
}
