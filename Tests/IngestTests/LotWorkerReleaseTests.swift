import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB
import IngestService
import Logging
import Synchronization
import Testing

/// Ingest's side of `ecoresupply lots release --worker N`: it appends `lot.worker-released` only
/// for a worker that is neither heard nor named by the latest tick, and says why otherwise.
@Suite("LotWorkerRelease: a lost worker is released only once the ticks have left it")
struct LotWorkerReleaseTests {
    let pool: DatabasePool
    let outbox = Outbox(producer: "ingest")
    /// The workers ingest hears, as the test sets them.
    final class Heard: Sendable { let workers = Mutex<[Int]?>([0, 2]) }
    let heard = Heard()

    init() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lot-release-\(UUID().uuidString).sqlite")
        pool = try DatabaseOpener.open(at: file, fullSync: false, migrations: BusSchema.migrations + IngestService.migrations)
    }

    var desk: LotWorkerRelease {
        let heard = self.heard
        return LotWorkerRelease(database: pool, outbox: outbox, heard: { heard.workers.withLock { $0 } }, logger: Logger(label: "test"))
    }

    func tick(_ members: [Int]) throws {
        let tick = MatchingTick(at: Date(), matchers: 3, members: members, proposalTimeoutSeconds: 60, shareAfterSeconds: 60)
        try pool.write { db in _ = try outbox.append(MatchingTick.topic, tick, in: db) }
    }

    func releases() throws -> [LotWorkerReleased] {
        try pool.read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox WHERE topic = ? ORDER BY sequence", arguments: [LotWorkerReleased.topic])
                .map { try EventCodec.decoder.decode(CloudEvent<LotWorkerReleased>.self, from: $0).data }
        }
    }

    @Test("refused with a reason while no tick was made, while the worker is heard, and while the latest tick names it")
    func refusals() async throws {
        await #expect(throws: RemoteError.conflict("no tick has named the members yet: start at least one worker and wait for a tick")) {
            try await desk.release(1)
        }
        try tick([0, 1, 2])
        await #expect(throws: RemoteError.conflict(
            "matcher-1 is a member of the latest tick (0,1,2): wait for a tick without it")) { try await desk.release(1) }
        heard.workers.withLock { $0 = [0, 1, 2] }
        await #expect(throws: RemoteError.conflict(
            "matcher-1 is alive (heard in the last heartbeats): stop it first; a live worker hands its lots over itself")) { try await desk.release(1) }
        heard.workers.withLock { $0 = nil }
        await #expect(throws: RemoteError.self) { try await desk.release(1) }
        await #expect(throws: RemoteError.invalid("worker", "worker must be from 0 to 255")) { try await desk.release(-1) }
        #expect(try releases().isEmpty)
    }

    @Test("appended after the tick that left the worker out, naming that tick's members")
    func appended() async throws {
        try tick([0, 1, 2])
        try tick([0, 2])
        let released = try await desk.release(1)
        #expect(released.release.worker == 1 && released.release.members == [0, 2])
        // The event's time is written to the millisecond, so its worker and members are compared.
        #expect(try releases().map { [$0.worker] + $0.members } == [[1, 0, 2]])
        let last = try await pool.read { try Int64.fetchOne($0, sql: "SELECT MAX(sequence) FROM bus_outbox") }
        #expect(released.sequence == last)
    }
}
