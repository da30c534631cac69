import EcoBus
import EcoStore
import Foundation
import GRDB
import Testing

private struct Record: Codable, Sendable, Equatable {
    var id: String
    var text: String
    var at: Date
}

private struct Wrapped: Codable, Sendable, Equatable {
    var record: Record
}

private struct WrappedWithReason: Codable, Sendable, Equatable {
    var record: Record
    var reason: String
    var count: Int
}

private struct ReasonAndCount: Codable, Sendable {
    var reason: String
    var count: Int
}

@Suite("EncodedPayload: an event written from JSON already encoded is the event written from the value")
struct EncodedPayloadTests {
    fileprivate let record = Record(id: "p-1", text: "«quoted \"text\"» / é\n", at: Date(timeIntervalSince1970: 1_795_000_000))

    /// Each stored event's JSON, and the event decoded.
    fileprivate func stored(_ write: (Outbox, Database) throws -> Void) throws -> [(payload: Data, event: CloudEvent<Wrapped>)] {
        let queue = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations).migrate(queue)
        try queue.write { db in try write(Outbox(producer: "matcher-0"), db) }
        return try queue.read { db in try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }.map { payload in
            (payload, try EventCodec.decoder.decode(CloudEvent<Wrapped>.self, from: payload))
        }
    }

    @Test("a payload wrapping an encoded record decodes as the payload encoded whole, and carries the record's JSON as it was")
    func wrapping() throws {
        let body = try EncodedPayload(record)
        let events = try stored { outbox, db in
            try outbox.append("proposal.created", Wrapped(record: record), partitionKey: "p", in: db)
            try outbox.append("proposal.created", EncodedPayload<Wrapped>(wrapping: body, as: "record"), partitionKey: "p", in: db)
        }
        #expect(events.count == 2)
        #expect(events[0].event.data == Wrapped(record: record) && events[1].event.data == events[0].event.data)
        #expect(events[1].payload.range(of: Data(#""data":{"record":"#.utf8) + body.json + Data("}}".utf8)) != nil, "not encoded again")
        #expect(events[1].event.sequence == 2 && events[1].event.partitionkey == "p" && events[1].event.source == "matcher-0")
        #expect(events[1].event.type == events[0].event.type && events[1].event.id != events[0].event.id)
    }

    @Test("a payload wrapping an encoded record beside other members decodes as the payload encoded whole")
    func wrappingBesides() throws {
        let body = try EncodedPayload(record)
        let whole = WrappedWithReason(record: record, reason: "taker \"cancelled\"", count: 3)
        let spliced = try EncodedPayload<WrappedWithReason>(wrapping: body, as: "record", besides: ReasonAndCount(reason: whole.reason, count: 3))
        #expect(try EventCodec.decoder.decode(WrappedWithReason.self, from: spliced.json) == whole)
        #expect(spliced.json.range(of: Data(#""record":"#.utf8) + body.json + Data("}".utf8)) != nil, "not encoded again")
        let alone = try EncodedPayload<Wrapped>(wrapping: body, as: "record", besides: [String: String]())
        #expect(try EventCodec.decoder.decode(Wrapped.self, from: alone.json) == Wrapped(record: record), "no members beside: no stray comma")
        #expect(throws: EncodingError.self, "members that are not an object are refused") {
            _ = try EncodedPayload<Wrapped>(wrapping: body, as: "record", besides: ["a", "b"])
        }
    }

    @Test("an encoded payload is refused over the event size limit, as any other")
    func sizeLimit() throws {
        let big = Record(id: "p-2", text: String(repeating: "x", count: InboundMessage.maximumEventSize), at: Date())
        #expect(throws: OutboxError.self) {
            _ = try stored { outbox, db in
                try outbox.append("proposal.created", EncodedPayload<Wrapped>(wrapping: try EncodedPayload(big), as: "record"), in: db)
            }
        }
    }
}
