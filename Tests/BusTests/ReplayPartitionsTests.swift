import EcoBus
import EcoStore
import Foundation
import GRDB
import Testing

/// Replay of some parts of a divided stream (`partitions`, docs/decisions/0016).
@Suite("Replay by partition")
struct ReplayPartitionsTests {
    struct Note: Codable, Sendable { var text: String }

    func filled() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations).migrate(queue)
        let outbox = Outbox(producer: "ingest")
        try queue.write { db in
            for (index, key) in ["a", "b", nil, "a", "b", nil].enumerated() {
                try outbox.append("note.added", Note(text: "\(index)"), partitionKey: key, in: db)
            }
        }
        return queue
    }

    @Test("only the named parts and the events of no part come back, each with its partitionkey; through reaches the latest")
    func filtered() async throws {
        let server = ReplayServer(producer: "ingest", database: try filled(), stats: nil)
        let reply = try await server.answer([try EventCodec.encoder.encode(ReplayRequest(from: 1, partitions: ["a"]))])
        let header = try EventCodec.decoder.decode(ReplayReply.self, from: reply[0])
        #expect(header.through == 6 && header.latest == 6)
        let events = try reply.dropFirst().map { try EventCodec.decoder.decode(EventEnvelope.self, from: $0) }
        #expect(events.map(\.sequence) == [1, 3, 4, 6])
        #expect(events.map(\.partitionkey) == ["a", nil, "a", nil])
    }

    @Test("a full page ends where it stopped, so the asker continues from there")
    func paged() async throws {
        let server = ReplayServer(producer: "ingest", database: try filled(), stats: nil)
        let reply = try await server.answer([try EventCodec.encoder.encode(ReplayRequest(from: 1, limit: 2, partitions: ["b"]))])
        let header = try EventCodec.decoder.decode(ReplayReply.self, from: reply[0])
        #expect(reply.count == 3 && header.through == 3, "events 2 and 3, through 3: \(header)")
    }

    @Test("more than 500 parts is refused with a message that names the limit")
    func tooMany() async throws {
        let server = ReplayServer(producer: "ingest", database: try filled(), stats: nil)
        let request = ReplayRequest(from: 1, partitions: (0...ReplayRequest.maximumPartitions).map { "p\($0)" })
        await #expect {
            _ = try await server.answer([try EventCodec.encoder.encode(request)])
        } throws: { error in
            "\(error)".contains("at most \(ReplayRequest.maximumPartitions) parts")
        }
    }
}
