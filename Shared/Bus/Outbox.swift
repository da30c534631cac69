import Foundation
import GRDB
import Synchronization

/// Writes a producer's events into its outbox, inside the caller's transaction, so that a state
/// change and the events it causes commit together or not at all. After the commit the relay is
/// woken and publishes them.
public struct Outbox: Sendable {
    /// The producer instance name, used as every event's `source`.
    public let producer: String
    private let onCommit: @Sendable () -> Void
    /// Whether the open transaction already has the commit hook: GRDB notifies every registered
    /// observer of every statement, so one hook per transaction, not one per event. Reset when the
    /// transaction ends either way. (The next sequence is read from SQLite for each event, not
    /// cached, so that a rolled-back savepoint cannot leave a gap.)
    private let transaction = TransactionState()

    public init(producer: String, onCommit: @escaping @Sendable () -> Void = {}) {
        self.producer = producer
        self.onCommit = onCommit
    }

    private final class TransactionState: Sendable {
        let hookRegistered = Mutex(false)
    }

    /// Appends one event; returns its sequence number. Must run inside a write transaction.
    /// `partitionKey` names the part of a divided stream the event belongs to (`partitionkey`).
    /// The current `TraceContext`, if any, is written as `traceparent`, and its trace id as
    /// `correlationid` unless one is given.
    @discardableResult
    public func append<Payload: Codable & Sendable>(
        _ topic: String,
        _ data: Payload,
        correlationID: String? = nil,
        causationID: String? = nil,
        partitionKey: String? = nil,
        in db: Database
    ) throws -> Int64 {
        try append(topic, correlationID: correlationID, causationID: causationID, partitionKey: partitionKey, in: db) { event in
            try CloudEventWriter.encode(envelopeOf: event, dataJSON: EventCodec.encoder.encode(data))
        }
    }

    /// Appends one event whose payload is already encoded: the same as `append(topic, data)` with
    /// the payload `data` was encoded from, without encoding it again.
    @discardableResult
    public func append<Payload: Codable & Sendable>(
        _ topic: String,
        _ data: EncodedPayload<Payload>,
        correlationID: String? = nil,
        causationID: String? = nil,
        partitionKey: String? = nil,
        in db: Database
    ) throws -> Int64 {
        try append(topic, correlationID: correlationID, causationID: causationID, partitionKey: partitionKey, in: db) { event in
            CloudEventWriter.encode(envelopeOf: event, dataJSON: data.json)
        }
    }

    private func append(
        _ topic: String, correlationID: String?, causationID: String?, partitionKey: String?, in db: Database,
        payload write: (CloudEvent<EncodedPayloadMark>) throws -> Data
    ) throws -> Int64 {
        guard Topic.isValid(topic) else { throw OutboxError.invalidTopic(topic) }
        guard !topic.hasPrefix("bus.") else { throw OutboxError.reservedTopic(topic) }
        let sequence = try Self.latestSequence(db) + 1
        let trace = TraceContext.current?.child()
        let event = CloudEvent(
            source: producer, type: topic, time: Date(), sequence: sequence, correlationid: correlationID ?? trace?.traceID,
            causationid: causationID, partitionkey: partitionKey, traceparent: trace?.traceparent, data: EncodedPayloadMark())
        let payload = try write(event)
        guard payload.count <= InboundMessage.maximumEventSize else {
            throw OutboxError.tooLarge(topic: topic, bytes: payload.count)
        }
        try db.cachedStatement(
            sql: "INSERT INTO bus_outbox (sequence, event_id, topic, payload, created_at, partition_key) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [sequence, event.id, topic, payload, event.time, partitionKey])
        let needsHook = transaction.hookRegistered.withLock { registered in
            defer { registered = true }
            return !registered
        }
        if needsHook {
            let onCommit = self.onCommit
            let state = transaction
            db.afterNextTransaction(
                onCommit: { _ in
                    state.hookRegistered.withLock { $0 = false }
                    onCommit()
                },
                onRollback: { _ in state.hookRegistered.withLock { $0 = false } })
        }
        return sequence
    }

    /// The highest sequence ever assigned (0 when none), including pruned rows.
    public static func latestSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'bus_outbox'")) ?? 0
    }

    /// One stored event: its sequence, topic and the exact CloudEvent JSON that was published.
    public struct Row: Sendable {
        public let sequence: Int64
        public let topic: String
        public let payload: Data
    }

    /// Stored events with `sequence >= from`, oldest first. With `partitions`, only the events of
    /// those parts and the events of no part.
    public static func rows(from: Int64, limit: Int, partitions: [String]? = nil, _ db: Database) throws -> [Row] {
        var sql = "SELECT sequence, topic, payload FROM bus_outbox WHERE sequence >= ?"
        var arguments: [any DatabaseValueConvertible] = [from]
        if let partitions {
            sql += " AND (partition_key IS NULL OR partition_key IN (\(databaseQuestionMarks(count: partitions.count))))"
            arguments += partitions
        }
        return try GRDB.Row.fetchAll(db, sql: sql + " ORDER BY sequence LIMIT ?", arguments: StatementArguments(arguments + [limit]))
            .map { Row(sequence: $0["sequence"], topic: $0["topic"], payload: $0["payload"]) }
    }
}

extension Outbox {
    /// Rewrites stored events in place, keeping their id, sequence and time: each event of
    /// `topics` whose JSON contains `needle` is decoded as `Payload`, given to `transform`, and
    /// stored again when `transform` returns true. This is how a producer erases a person from its
    /// own history (docs/decisions/0010): replay then serves the rewritten events. Returns how
    /// many were rewritten. Must run inside a write transaction.
    @discardableResult
    public static func rewrite<Payload: Codable & Sendable>(
        topics: [String], containing needle: String, as type: Payload.Type, in db: Database,
        _ transform: (inout Payload) throws -> Bool
    ) throws -> Int {
        guard !topics.isEmpty, !needle.isEmpty else { return 0 }
        let marks = Array(repeating: "?", count: topics.count).joined(separator: ", ")
        let rows = try GRDB.Row.fetchAll(
            db, sql: "SELECT sequence, payload FROM bus_outbox WHERE topic IN (\(marks)) AND instr(payload, CAST(? AS BLOB)) > 0",
            arguments: StatementArguments(topics + [needle]))
        var rewritten = 0
        for row in rows {
            let payload: Data = row["payload"]
            var event = try EventCodec.decoder.decode(CloudEvent<Payload>.self, from: payload)
            guard try transform(&event.data) else { continue }
            try db.execute(
                sql: "UPDATE bus_outbox SET payload = ? WHERE sequence = ?",
                arguments: [try CloudEventWriter.encode(event), row["sequence"] as Int64])
            rewritten += 1
        }
        return rewritten
    }
}
