import EcoBus
import EcoModel
@testable import EcoRuntime
import Foundation
import GRDB
import Logging
import Testing

/// A service that keeps copies of another producer's events says it erased a person only once that
/// producer's erasure, and the redactions before it in its stream, are applied here too.
@Suite("Erasure waits for the producers whose copies a service keeps")
struct ErasureAwaitTests {
    static func event(_ type: String, from source: String, id: String, _ data: some Encodable) throws -> ReceivedEvent {
        let body = String(decoding: try EventCodec.encoder.encode(data), as: UTF8.self)
        let json = Data(#"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"\#(type)","time":"2026-12-01T00:00:00.000Z","sequence":1,"data":\#(body)}"#.utf8)
        return ReceivedEvent(envelope: try EventCodec.decoder.decode(EventEnvelope.self, from: json), payload: json)
    }

    func announced(_ store: TemporaryStore) throws -> [PersonalDataErased] {
        try store.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox WHERE topic = ? ORDER BY sequence", arguments: [PersonalDataErased.topic])
                .map { try ReceivedEvent(envelope: EventCodec.decoder.decode(EventEnvelope.self, from: $0), payload: $0).decodeData(PersonalDataErased.self) }
        }
    }

    func handler(_ store: TemporaryStore) -> ErasureHandler {
        ErasureHandler(
            instance: "notifications", holders: [], outbox: store.outbox, database: store.pool, logger: Logger(label: "test"), awaits: ["ingest"])
    }

    @Test("account.erased first: privacy.erased only after ingest's, once")
    func erasedThenUpstream() throws {
        let store = try TemporaryStore([])
        let erasure = handler(store)
        #expect(erasure.topicPrefixes.contains(PersonalDataErased.topic))
        try store.pool.write { db in
            try erasure.apply(try Self.event(AccountErased.topic, from: "gateway", id: "e1", AccountErased(accountID: "a1", requestedBy: "self", at: Date())), in: db)
        }
        #expect(try announced(store).isEmpty, "not done while ingest's redactions may still come")
        try store.pool.write { db in
            // Another instance's erasure, and another account's, change nothing.
            try erasure.apply(try Self.event(PersonalDataErased.topic, from: "matcher-0", id: "e2", PersonalDataErased(accountID: "a1", instance: "matcher-0", rows: 1, events: 0)), in: db)
            try erasure.apply(try Self.event(PersonalDataErased.topic, from: "ingest", id: "e3", PersonalDataErased(accountID: "other", instance: "ingest", rows: 1, events: 0)), in: db)
        }
        #expect(try announced(store).isEmpty)
        try store.pool.write { db in
            try erasure.apply(try Self.event(PersonalDataErased.topic, from: "ingest", id: "e4", PersonalDataErased(accountID: "a1", instance: "ingest", rows: 2, events: 3)), in: db)
            try erasure.apply(try Self.event(PersonalDataErased.topic, from: "ingest", id: "e5", PersonalDataErased(accountID: "a1", instance: "ingest", rows: 2, events: 3)), in: db)
        }
        let once = try announced(store)
        #expect(once.map(\.instance) == ["notifications"], "once: \(once)")
    }

    @Test("ingest's erasure first: privacy.erased as soon as the account is erased here")
    func upstreamThenErased() throws {
        let store = try TemporaryStore([])
        let erasure = handler(store)
        try store.pool.write { db in
            try erasure.apply(try Self.event(PersonalDataErased.topic, from: "ingest", id: "e1", PersonalDataErased(accountID: "a1", instance: "ingest", rows: 2, events: 3)), in: db)
        }
        #expect(try announced(store).isEmpty)
        try store.pool.write { db in
            try erasure.apply(try Self.event(AccountErased.topic, from: "gateway", id: "e2", AccountErased(accountID: "a1", requestedBy: "admin", at: Date())), in: db)
        }
        #expect(try announced(store).map(\.accountID) == ["a1"])
    }

    @Test("a service that awaits no one says it at once, as before")
    func noAwaits() throws {
        let store = try TemporaryStore([])
        let erasure = ErasureHandler(instance: "reporting", holders: [], outbox: store.outbox, database: store.pool, logger: Logger(label: "test"))
        #expect(!erasure.topicPrefixes.contains(PersonalDataErased.topic))
        try store.pool.write { db in
            try erasure.apply(try Self.event(AccountErased.topic, from: "gateway", id: "e1", AccountErased(accountID: "a1", requestedBy: "self", at: Date())), in: db)
        }
        #expect(try announced(store).map(\.instance) == ["reporting"])
    }
}
