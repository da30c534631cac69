import EcoBus
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

/// The writer hold a backup takes on each service (`backup.hold`, `backup.release`).
@Suite("Backup hold: writes wait while a backup copies the stores")
struct BackupHoldTests {
    static func pool() throws -> DatabasePool {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hold-\(UUID().uuidString).sqlite")
        return try DatabaseOpener.open(at: url, fullSync: false, migrations: BusSchema.migrations)
    }

    static func ask(_ hold: BackupHold, _ kind: String, _ body: some Encodable) async throws -> [Data] {
        try await hold.handlers[kind]!([try EventCodec.encoder.encode(body)])
    }

    @Test("a write waits while held and goes through once released; a second hold is refused; bad seconds are refused")
    func holdAndRelease() async throws {
        let database = try Self.pool()
        let hold = BackupHold(instance: "ingest", database: database, logger: Logger(label: "test"))
        let held = try EventCodec.decoder.decode(BackupRequests.Held.self, from: try await Self.ask(hold, BackupRequests.hold, BackupRequests.Hold(backupId: "b1", seconds: 10))[0])
        #expect(held.instance == "ingest" && held.latest == 0)
        let written = Mutex(false)
        let writer = Task {
            try await database.write { db in try Outbox(producer: "ingest").append(Self.topic, ["n": 1], in: db) }
            written.withLock { $0 = true }
        }
        // Asserting that something does not happen needs a window: 200 ms is ample for a write.
        try await Task.sleep(for: .milliseconds(200))
        #expect(!written.withLock { $0 }, "the write waits for the backup")
        await #expect(throws: RemoteError.self) { try await Self.ask(hold, BackupRequests.hold, BackupRequests.Hold(backupId: "b2", seconds: 10)) }
        let released = try EventCodec.decoder.decode(BackupRequests.Released.self, from: try await Self.ask(hold, BackupRequests.release, BackupRequests.Release(backupId: "b1"))[0])
        #expect(released.wasHeld)
        try await writer.value
        #expect(written.withLock { $0 })
        #expect(try await database.read { try Outbox.latestSequence($0) } == 1)
        let again = try EventCodec.decoder.decode(BackupRequests.Released.self, from: try await Self.ask(hold, BackupRequests.release, BackupRequests.Release(backupId: "b1"))[0])
        #expect(!again.wasHeld, "releasing twice says the hold had ended")
        await #expect(throws: RemoteError.self) { try await Self.ask(hold, BackupRequests.hold, BackupRequests.Hold(backupId: "b3", seconds: 0)) }
        await #expect(throws: RemoteError.self) { try await hold.handlers[BackupRequests.hold]!([Data("not json".utf8)]) }
    }

    @Test("a hold nobody releases ends by itself, and writes resume")
    func holdRunsOut() async throws {
        let database = try Self.pool()
        let hold = BackupHold(instance: "ingest", database: database, logger: Logger(label: "test"))
        let started = ContinuousClock.now
        _ = try await Self.ask(hold, BackupRequests.hold, BackupRequests.Hold(backupId: "lost", seconds: 0.3))
        try await database.write { db in try Outbox(producer: "ingest").append(Self.topic, ["n": 1], in: db) }
        #expect(started.duration(to: .now) >= .milliseconds(290), "the write waited for the hold to run out")
        #expect(try await database.read { try Outbox.latestSequence($0) } == 1)
        let late = try EventCodec.decoder.decode(BackupRequests.Released.self, from: try await Self.ask(hold, BackupRequests.release, BackupRequests.Release(backupId: "lost"))[0])
        #expect(!late.wasHeld, "a release after the hold ran out says so, and the backup fails on it")
        _ = try await Self.ask(hold, BackupRequests.hold, BackupRequests.Hold(backupId: "next", seconds: 1))
        _ = try await Self.ask(hold, BackupRequests.release, BackupRequests.Release(backupId: "next"))
    }

    static let topic = LotChanged.publishedTopic
}
