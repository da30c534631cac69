import EcoBus
import EcoStore
import Foundation
import GRDB
import Synchronization
import Testing

private struct Note: Codable, Sendable, Equatable {
    var text: String
}

private struct Abort: Error {}

/// Counts calls from any thread.
private final class CallCounter: Sendable {
    private let calls = Mutex(0)
    func record() { calls.withLock { $0 += 1 } }
    var value: Int { calls.withLock { $0 } }
}

private func migratedQueue() throws -> DatabaseQueue {
    let queue = try DatabaseQueue()
    try DatabaseMigrator.named(BusSchema.migrations).migrate(queue)
    return queue
}

private func storedSequences(_ queue: DatabaseQueue) throws -> [Int64] {
    try queue.read { try Int64.fetchAll($0, sql: "SELECT sequence FROM bus_outbox ORDER BY sequence") }
}

@Suite("Outbox: gapless, never reused sequences written in the caller's transaction")
struct OutboxTests {
    let outbox = Outbox(producer: "ingest")

    @Test("sequences are 1, 2, 3, … within and across transactions")
    func sequencesCount() throws {
        let queue = try migratedQueue()
        let first = try queue.write { db in
            [try outbox.append("listing.published", Note(text: "a"), in: db),
             try outbox.append("listing.published", Note(text: "b"), in: db)]
        }
        let third = try queue.write { try outbox.append("pickup.validated", Note(text: "c"), in: $0) }
        #expect(first == [1, 2])
        #expect(third == 3)
        #expect(try storedSequences(queue) == [1, 2, 3])
        #expect(try queue.read { try Outbox.latestSequence($0) } == 3)
    }

    @Test("the stored payload is the CloudEvent with the producer, topic, sequence and correlation")
    func storedPayload() throws {
        let queue = try migratedQueue()
        _ = try queue.write { db in
            try outbox.append("listing.published", Note(text: "hello"), correlationID: "corr", causationID: "cause", in: db)
        }
        let rows = try queue.read { try Outbox.rows(from: 1, limit: 10, $0) }
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.sequence == 1)
        #expect(row.topic == "listing.published")
        let event = try EventCodec.decoder.decode(CloudEvent<Note>.self, from: row.payload)
        #expect(event.source == "ingest")
        #expect(event.type == "listing.published")
        #expect(event.sequence == 1)
        #expect(event.correlationid == "corr")
        #expect(event.causationid == "cause")
        #expect(event.data == Note(text: "hello"))
        // What is stored is what the bus accepts.
        guard case .event = InboundMessage.decode([Data(row.topic.utf8), row.payload]) else {
            Issue.record("the stored payload must decode as a bus event")
            return
        }
    }

    @Test("under a current trace, an event written through an async write carries it: traceparent of the same trace, its id as correlationid")
    func tracedAppend() async throws {
        let queue = try migratedQueue()
        let trace = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        try await TraceContext.$current.withValue(trace) {
            _ = try await queue.write { db in try outbox.append("listing.published", Note(text: "traced"), in: db) }
            _ = try await queue.write { db in try outbox.append("listing.published", Note(text: "named"), correlationID: "given", in: db) }
        }
        _ = try await queue.write { db in try outbox.append("listing.published", Note(text: "untraced"), in: db) }
        let rows = try await queue.read { try Outbox.rows(from: 1, limit: 10, $0) }
        let events = try rows.map { row in
            ReceivedEvent(envelope: try EventEnvelope.decode(from: row.payload), payload: row.payload)
        }
        try #require(events.count == 3)
        let carried = try #require(events[0].trace)
        #expect(carried.traceID == trace.traceID && carried.parentID != trace.parentID, "this producer's own span of the same trace")
        #expect(events[0].envelope.correlationid == trace.traceID)
        #expect(events[1].trace?.traceID == trace.traceID && events[1].envelope.correlationid == "given")
        #expect(events[2].trace == nil && events[2].envelope.traceparent == nil && events[2].envelope.correlationid == nil)
    }

    @Test("a rolled-back transaction leaves no gap: the next append gets the next number")
    func rollbackLeavesNoGap() throws {
        let queue = try migratedQueue()
        // Rolled back as the very first write…
        #expect(throws: Abort.self) {
            try queue.write { db in
                try outbox.append("listing.published", Note(text: "lost"), in: db)
                throw Abort()
            }
        }
        #expect(try queue.write { try outbox.append("listing.published", Note(text: "1"), in: $0) } == 1)
        // …and after some committed ones.
        #expect(throws: Abort.self) {
            try queue.write { db in
                #expect(try outbox.append("listing.published", Note(text: "lost"), in: db) == 2)
                #expect(try outbox.append("listing.published", Note(text: "lost"), in: db) == 3)
                throw Abort()
            }
        }
        #expect(try queue.read { try Outbox.latestSequence($0) } == 1)
        #expect(try queue.write { try outbox.append("listing.published", Note(text: "2"), in: $0) } == 2)
        #expect(try storedSequences(queue) == [1, 2])
    }

    @Test("deleting the newest rows does not let their sequences be reused")
    func deletedSequencesNotReused() throws {
        let queue = try migratedQueue()
        try queue.write { db in
            for text in ["a", "b", "c"] { try outbox.append("listing.published", Note(text: text), in: db) }
        }
        try queue.write { try $0.execute(sql: "DELETE FROM bus_outbox WHERE sequence >= 2") }
        #expect(try queue.read { try Outbox.latestSequence($0) } == 3)
        #expect(try queue.write { try outbox.append("listing.published", Note(text: "d"), in: $0) } == 4)

        try queue.write { try $0.execute(sql: "DELETE FROM bus_outbox") }
        #expect(try queue.write { try outbox.append("listing.published", Note(text: "e"), in: $0) } == 5)
        #expect(try storedSequences(queue) == [5])
    }

    @Test("a topic that is not <domain>.<event> throws invalidTopic and writes nothing",
          arguments: ["", "listing", "Listing.Published", ".listing", "listing.", "listing published"])
    func invalidTopicThrows(topic: String) throws {
        let queue = try migratedQueue()
        #expect(throws: OutboxError.invalidTopic(topic)) {
            try queue.write { try outbox.append(topic, Note(text: "x"), in: $0) }
        }
        #expect(try storedSequences(queue).isEmpty)
    }

    @Test("`bus.` topics are reserved and throw reservedTopic", arguments: [Topic.heartbeat, "bus.replay", "bus.anything"])
    func reservedTopicThrows(topic: String) throws {
        let queue = try migratedQueue()
        #expect(throws: OutboxError.reservedTopic(topic)) {
            try queue.write { try outbox.append(topic, Note(text: "x"), in: $0) }
        }
        #expect(try queue.read { try Outbox.latestSequence($0) } == 0)
    }

    @Test("an event over 1 MiB throws tooLarge and takes no sequence")
    func tooLargeThrows() throws {
        let queue = try migratedQueue()
        let error = #expect(throws: OutboxError.self) {
            try queue.write { try outbox.append("listing.published", Note(text: String(repeating: "x", count: InboundMessage.maximumEventSize)), in: $0) }
        }
        guard case .tooLarge(let topic, let bytes)? = error else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
        #expect(topic == "listing.published")
        #expect(bytes > InboundMessage.maximumEventSize)
        #expect(try queue.write { try outbox.append("listing.published", Note(text: "small"), in: $0) } == 1)
    }

    @Test("onCommit runs after the commit, and not after a rollback")
    func onCommitAfterCommitOnly() throws {
        let queue = try migratedQueue()
        let calls = CallCounter()
        let outbox = Outbox(producer: "ingest", onCommit: { calls.record() })

        try queue.write { db in
            try outbox.append("listing.published", Note(text: "a"), in: db)
            #expect(calls.value == 0, "not before the transaction commits")
        }
        #expect(calls.value == 1)

        #expect(throws: Abort.self) {
            try queue.write { db in
                try outbox.append("listing.published", Note(text: "b"), in: db)
                throw Abort()
            }
        }
        #expect(calls.value == 1, "a rolled-back append wakes nobody")

        // The rolled-back registration does not linger into the next transaction.
        _ = try queue.write { db in try outbox.append("listing.published", Note(text: "c"), in: db) }
        #expect(calls.value == 2)
        try queue.write { db in try db.execute(sql: "DELETE FROM bus_offsets") }
        #expect(calls.value == 2, "a transaction without appends does not call it")
    }
}

@Suite("ReplayServer: answering bus.replay from the outbox")
struct ReplayServerTests {
    static let topics = ["listing.published", "pickup.validated", "listing.published", "pickup.validated", "listing.withdrawn"]

    private func filledQueue() throws -> DatabaseQueue {
        let queue = try migratedQueue()
        let outbox = Outbox(producer: "ingest")
        try queue.write { db in
            for (index, topic) in Self.topics.enumerated() { try outbox.append(topic, Note(text: "\(index + 1)"), in: db) }
        }
        return queue
    }

    private func ask(_ server: ReplayServer, _ request: ReplayRequest) async throws -> (reply: ReplayReply, sequences: [Int64], topics: [String]) {
        let frames = try await server.answer([try EventCodec.encoder.encode(request)])
        let first = try #require(frames.first)
        let reply = try EventCodec.decoder.decode(ReplayReply.self, from: first)
        var sequences: [Int64] = []
        var topics: [String] = []
        for payload in frames.dropFirst() {
            guard case .event(let event) = InboundMessage.decodeEvent(payload, expectedType: nil) else {
                Issue.record("a replayed frame is not an event")
                continue
            }
            #expect(event.source == "ingest")
            sequences.append(event.sequence ?? 0)
            topics.append(event.type)
        }
        return (reply, sequences, topics)
    }

    @Test("from/limit page through the outbox; `through` is the last sequence sent and `latest` the newest")
    func paging() async throws {
        let server = ReplayServer(producer: "ingest", database: try filledQueue(), stats: nil)

        let page1 = try await ask(server, ReplayRequest(from: 1, limit: 2))
        #expect(page1.sequences == [1, 2])
        #expect(page1.reply == ReplayReply(latest: 5, through: 2, producer: "ingest"))

        let page2 = try await ask(server, ReplayRequest(from: page1.reply.through + 1, limit: 2))
        #expect(page2.sequences == [3, 4])
        #expect(page2.reply.through == 4)

        let page3 = try await ask(server, ReplayRequest(from: page2.reply.through + 1, limit: 2))
        #expect(page3.sequences == [5])
        #expect(page3.reply.through == 5)
        #expect(page3.reply.latest == 5)

        let past = try await ask(server, ReplayRequest(from: 6, limit: 2))
        #expect(past.sequences.isEmpty)
        #expect(past.reply == ReplayReply(latest: 5, through: 5, producer: "ingest"))

        let all = try await ask(server, ReplayRequest(from: 1))
        #expect(all.sequences == [1, 2, 3, 4, 5])
        #expect(all.topics == Self.topics)
    }

    @Test("the limit is clamped to 1…maximumLimit")
    func limitClamped() async throws {
        let server = ReplayServer(producer: "ingest", database: try filledQueue(), stats: nil)
        let zero = try await ask(server, ReplayRequest(from: 2, limit: 0))
        #expect(zero.sequences == [2])
        #expect(zero.reply.through == 2)
        let huge = try await ask(server, ReplayRequest(from: 1, limit: 1_000_000))
        #expect(huge.sequences == [1, 2, 3, 4, 5])
    }

    @Test("an empty outbox answers latest 0, through 0, no events")
    func emptyOutbox() async throws {
        let server = ReplayServer(producer: "ingest", database: try migratedQueue(), stats: nil)
        let answer = try await ask(server, ReplayRequest(from: 1))
        #expect(answer.sequences.isEmpty)
        #expect(answer.reply == ReplayReply(latest: 0, through: 0, producer: "ingest"))
    }

    @Test("a prefix filter returns only matching events but `through` still covers the scanned range")
    func prefixFilter() async throws {
        let stats = BusStats(instance: "ingest")
        let server = ReplayServer(producer: "ingest", database: try filledQueue(), stats: stats)

        let pickups = try await ask(server, ReplayRequest(from: 1, limit: 3, prefixes: ["pickup."]))
        #expect(pickups.sequences == [2])
        #expect(pickups.reply.through == 3)
        #expect(pickups.reply.latest == 5)

        let none = try await ask(server, ReplayRequest(from: 1, limit: 3, prefixes: ["nothing."]))
        #expect(none.sequences.isEmpty)
        #expect(none.reply.through == 3, "the asker continues from 4, not from 1")

        let several = try await ask(server, ReplayRequest(from: 1, prefixes: ["listing.published", "pickup."]))
        #expect(several.sequences == [1, 2, 3, 4])
        #expect(several.reply.through == 5)

        #expect(stats.snapshot.replayServed == 5, "1 + 0 + 4 events served")
    }

    @Test("after the oldest rows are gone, replay starts at the first one still stored")
    func replayAfterPrune() async throws {
        let queue = try filledQueue()
        try await queue.write { try $0.execute(sql: "DELETE FROM bus_outbox WHERE sequence <= 2") }
        let server = ReplayServer(producer: "ingest", database: queue, stats: nil)
        let answer = try await ask(server, ReplayRequest(from: 1, limit: 2))
        #expect(answer.sequences == [3, 4])
        #expect(answer.reply.through == 4)
    }

    @Test("a body that is not one ReplayRequest JSON frame, or from < 1, throws RemoteError bad_request",
          arguments: [[], [Data("not json".utf8)], [Data("{\"limit\": 3}".utf8)], [Data("{\"from\": 0}".utf8)], [Data("{\"from\": -5}".utf8)]] as [[Data]])
    func badBody(body: [Data]) async throws {
        let server = ReplayServer(producer: "ingest", database: try filledQueue(), stats: nil)
        let error = await #expect(throws: RemoteError.self) {
            try await server.answer(body)
        }
        #expect(error?.code == "bad_request")
    }
}
