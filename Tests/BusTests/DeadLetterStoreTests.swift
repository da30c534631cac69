import EcoBus
import EcoStore
import Foundation
import GRDB
import Testing

private func deadLetterQueue() throws -> DatabaseQueue {
    let queue = try DatabaseQueue()
    try DatabaseMigrator.named(BusSchema.migrations).migrate(queue)
    return queue
}

/// Inserts a dead letter with a chosen id, as `record` would store it.
private func insertDeadLetter(id: Int64, in db: Database) throws {
    try db.execute(
        sql: """
            INSERT INTO bus_dead_letters (id, received_at, reason_code, reason, producer, sequence, frame_count, frames)
            VALUES (?, '2025-01-01T00:00:00.000Z', 'json', 'test', NULL, NULL, 1, ?)
            """,
        arguments: [id, Data([0, 0, 0, 1, 0x41])])
}

private func storedIDs(_ queue: DatabaseQueue) throws -> [Int64] {
    try queue.read { try Int64.fetchAll($0, sql: "SELECT id FROM bus_dead_letters ORDER BY id") }
}

@Suite("DeadLetterStore: keeping unusable messages")
struct DeadLetterStoreTests {
    @Test("frames round-trip through record and allFrames, including empty frames", arguments: [
        [Data("pickup.validated".utf8), Data("{not json".utf8)],
        [Data(), Data("x".utf8), Data()],
        [Data()],
        [Data([0x00, 0xFF, 0x00, 0x00, 0x00, 0x10]), Data(repeating: 0xAB, count: 70_000)],
        [Data("a".utf8), Data("b".utf8), Data("c".utf8), Data("d".utf8)],
    ] as [[Data]])
    func roundTrip(frames: [Data]) throws {
        let queue = try deadLetterQueue()
        try queue.write { try DeadLetterStore.record(frames, reason: .wrongFrameCount(frames.count), in: $0) }
        #expect(try queue.read { try DeadLetterStore.allFrames($0) } == [frames])
        let stored = try queue.read { try Int.fetchOne($0, sql: "SELECT frame_count FROM bus_dead_letters") }
        #expect(stored == frames.count)
    }

    @Test("a message with no frames at all is recorded and reads back as no frames")
    func zeroFrames() throws {
        let queue = try deadLetterQueue()
        try queue.write { try DeadLetterStore.record([], reason: .wrongFrameCount(0), in: $0) }
        #expect(try queue.read { try DeadLetterStore.count($0) } == 1)
        #expect(try queue.read { try DeadLetterStore.allFrames($0) } == [[]])
    }

    @Test("several messages come back oldest first, with reason, producer and sequence stored")
    func severalMessagesInOrder() throws {
        let queue = try deadLetterQueue()
        let first = [Data("one".utf8)]
        let second = [Data("listing.published".utf8), Data("{}".utf8)]
        try queue.write { db in
            try DeadLetterStore.record(first, reason: .wrongFrameCount(1), in: db)
            try DeadLetterStore.record(second, reason: .handlerRejected("boom"), producer: "ingest", sequence: 7, in: db)
        }
        #expect(try queue.read { try DeadLetterStore.allFrames($0) } == [first, second])
        #expect(try queue.read { try DeadLetterStore.count($0) } == 2)
        let row = try #require(try queue.read {
            try Row.fetchOne($0, sql: "SELECT reason_code, reason, producer, sequence FROM bus_dead_letters ORDER BY id DESC LIMIT 1")
        })
        #expect(row["reason_code"] as String == "handler")
        #expect(row["reason"] as String == DeadLetterReason.handlerRejected("boom").description)
        #expect(row["producer"] as String? == "ingest")
        #expect(row["sequence"] as Int64? == 7)
    }

    @Test("a message over the stored limit is cut, while the frame count stays exact")
    func oversizedMessageIsCut() throws {
        let queue = try deadLetterQueue()
        let frames = [Data(repeating: 1, count: DeadLetterStore.maximumStoredBytes), Data("dropped".utf8)]
        try queue.write { try DeadLetterStore.record(frames, reason: .tooLarge(frames[0].count), in: $0) }
        let stored = try queue.read { try DeadLetterStore.allFrames($0) }
        #expect(stored.count == 1)
        #expect(stored.first?.count == 1)
        #expect(stored.first?.first?.count == DeadLetterStore.maximumStoredBytes - 4)
        let blobSize = try queue.read { try Int.fetchOne($0, sql: "SELECT length(frames) FROM bus_dead_letters") }
        #expect(blobSize == DeadLetterStore.maximumStoredBytes)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT frame_count FROM bus_dead_letters") } == 2)
    }

    @Test("prune keeps everything while there are fewer than `retained`")
    func pruneKeepsFew() throws {
        let queue = try deadLetterQueue()
        try queue.write { db in
            for index in 1...5 { try DeadLetterStore.record([Data("\(index)".utf8)], reason: .badTopic, in: db) }
            try DeadLetterStore.prune(db)
        }
        #expect(try queue.read { try DeadLetterStore.count($0) } == 5)
    }

    @Test("prune keeps only the newest `retained` ids: those above max(id) - retained")
    func pruneDropsOldest() throws {
        let retained = Int64(DeadLetterStore.retained)
        let queue = try deadLetterQueue()
        // Ids 1…4, then the newest at retained + 2: the window kept is 3…retained + 2.
        try queue.write { db in
            for id in Int64(1)...4 { try insertDeadLetter(id: id, in: db) }
            try insertDeadLetter(id: retained + 2, in: db)
            try DeadLetterStore.prune(db)
        }
        #expect(try storedIDs(queue) == [3, 4, retained + 2])
        let kept = try storedIDs(queue)
        #expect(kept.count <= DeadLetterStore.retained)
        #expect((kept.last ?? 0) - (kept.first ?? 0) + 1 <= retained, "every kept id is within `retained` of the newest")

        // Exactly `retained` ids wide: nothing more goes.
        try queue.write { try DeadLetterStore.prune($0) }
        #expect(try storedIDs(queue) == [3, 4, retained + 2])

        // The next message moves the window by one.
        try queue.write { db in
            try DeadLetterStore.record([Data("newest".utf8)], reason: .badTopic, in: db)
            try DeadLetterStore.prune(db)
        }
        #expect(try storedIDs(queue) == [4, retained + 2, retained + 3])
    }

    @Test("prune on an empty table does nothing")
    func pruneEmpty() throws {
        let queue = try deadLetterQueue()
        try queue.write { try DeadLetterStore.prune($0) }
        #expect(try queue.read { try DeadLetterStore.count($0) } == 0)
    }
}
