import EcoBus
import EcoModel
import EcoStore
import Foundation
import GatewayService
import GRDB
import Logging
import Synchronization
import Testing

/// `AccountLifecycle` over the gateway's real SQLite schema (in memory), with a clock the test
/// moves and a mailer that keeps what it was asked to send.
@Suite("Account lifecycle rules")
struct AccountLifecycleUnitTests {
    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var date: Date { now.withLock { $0 } }
    }

    final class Mailbox: LifecycleMailer {
        let sent = Mutex<[EmailRequests.Send]>([])
        func send(_ email: EmailRequests.Send) async throws { sent.withLock { $0.append(email) } }
        var codes: [String] {
            sent.withLock { $0 }.compactMap { mail in
                mail.body.split(whereSeparator: \.isNewline).map(String.init).first { $0.count == 43 && !$0.contains(" ") }
            }
        }
    }

    struct Fixture {
        let store: SQLiteAccountStore
        let lifecycle: AccountLifecycle
        let clock = Clock()
        let mailbox = Mailbox()
        let account: Account

        init() async throws {
            let database = try DatabaseQueue()
            try DatabaseMigrator.named(BusSchema.migrations + GatewayService.migrations).migrate(database)
            store = SQLiteAccountStore(database: database, outbox: Outbox(producer: "gateway"))
            let hasher = BcryptPasswordHasher(cost: 4)
            let clock = self.clock
            lifecycle = AccountLifecycle(
                accounts: store, store: store, hasher: hasher, mailer: mailbox, throttle: LoginThrottle(),
                clock: { clock.date }, logger: Logger(label: "test"))
            account = try await store.create(NewAccount(
                email: "person@example.org", passwordHash: await hasher.hash("the first passphrase"), displayName: "P", roles: [.customer]))
        }
    }

    @Test("a reset code expires after an hour and works once")
    func resetExpires() async throws {
        let fixture = try await Fixture()
        try await fixture.lifecycle.requestPasswordReset(email: "person@example.org")
        let late = try #require(fixture.mailbox.codes.last)
        fixture.clock.advance(AccountLifecycle.resetLifetime + 1)
        await #expect(throws: APIError.self) { try await fixture.lifecycle.resetPassword(token: late, new: "a second passphrase") }

        try await fixture.lifecycle.requestPasswordReset(email: "person@example.org")
        let fresh = try #require(fixture.mailbox.codes.last)
        fixture.clock.advance(AccountLifecycle.resetLifetime - 60)
        try await fixture.lifecycle.resetPassword(token: fresh, new: "a second passphrase")
        await #expect(throws: APIError.self) { try await fixture.lifecycle.resetPassword(token: fresh, new: "a third passphrase") }
        #expect(fixture.mailbox.sent.withLock { $0 }.allSatisfy { $0.recipient == nil && $0.accountId == fixture.account.id })
    }

    @Test("a new reset code voids the older ones once used; at most three reset emails an hour")
    func resetLimits() async throws {
        let fixture = try await Fixture()
        for _ in 0..<5 { try await fixture.lifecycle.requestPasswordReset(email: "person@example.org") }
        #expect(fixture.mailbox.codes.count == AccountLifecycle.resetsPerHour)
        try await fixture.lifecycle.requestPasswordReset(email: "nobody@example.org")
        #expect(fixture.mailbox.codes.count == AccountLifecycle.resetsPerHour, "nothing sent for an unknown address")
        let codes = fixture.mailbox.codes
        try await fixture.lifecycle.resetPassword(token: codes[1], new: "a second passphrase")
        await #expect(throws: APIError.self) { try await fixture.lifecycle.resetPassword(token: codes[0], new: "a third passphrase") }
        fixture.clock.advance(3601)
        try await fixture.lifecycle.requestPasswordReset(email: "person@example.org")
        #expect(fixture.mailbox.codes.count == AccountLifecycle.resetsPerHour + 1, "the hour passed")
    }

    @Test("an email change is confirmed within a day, at the new address only")
    func emailChangeExpires() async throws {
        let fixture = try await Fixture()
        let principal = Principal(accountID: fixture.account.id, roles: [.customer], credential: .apiKey(id: "k"))
        try await fixture.lifecycle.requestEmailChange(for: principal, newEmail: "New@Example.org", password: "the first passphrase")
        #expect(fixture.mailbox.sent.withLock { $0.last?.recipient } == "new@example.org")
        let code = try #require(fixture.mailbox.codes.last)
        fixture.clock.advance(AccountLifecycle.emailChangeLifetime + 1)
        await #expect(throws: APIError.self) { try await fixture.lifecycle.confirmEmailChange(token: code) }
        #expect(try await fixture.store.account(id: fixture.account.id)?.email == "person@example.org")

        try await fixture.lifecycle.requestEmailChange(for: principal, newEmail: "new@example.org", password: "the first passphrase")
        let account = try await fixture.lifecycle.confirmEmailChange(token: try #require(fixture.mailbox.codes.last))
        #expect(account.email == "new@example.org")
    }
}
