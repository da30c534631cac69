import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB
import Logging

/// The bus self-check every service carries: on request it emits `diagnostic.ping` events from its
/// outbox, and it records every ping it receives from others in `diagnostic_pings`. An operator
/// uses it through `ecoresupply bus ping`; the integration tests use it to prove delivery exactly once.
public enum Diagnostics {
    /// Request kind: body `{"count": N, "batch"?: B, "rate"?: events per second, "run"?: "…"}`;
    /// reply `{"run": …, "accepted": N}`.
    /// Emission continues in the background after the reply.
    public static let emitRequest = "diagnostic.emit"
    /// Request kind: reply `{"count": N, "distinct": N}` of pings recorded, optionally `{"run": …}`.
    public static let countRequest = "diagnostic.count"
    public static let maximumCount = 1_000_000

    public static let migrations: [Migration] = [
        Migration("diagnostics.v1.pings") { db in
            // No uniqueness constraint on purpose: a duplicate application would show as an extra row.
            try db.execute(sql: """
                CREATE TABLE diagnostic_pings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    producer TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    run TEXT NOT NULL,
                    ping_index INTEGER NOT NULL,
                    received_at TEXT NOT NULL
                );
                CREATE INDEX diagnostic_pings_run ON diagnostic_pings(run);
                """)
        },
    ]

    public struct EmitRequest: Codable, Sendable {
        public var count: Int
        /// Events per transaction (1 to 1000, default 100).
        public var batch: Int?
        /// Events per second; unpaced when absent.
        public var rate: Int?
        public var run: String?
        public init(count: Int, batch: Int? = nil, rate: Int? = nil, run: String? = nil) {
            self.count = count
            self.batch = batch
            self.rate = rate
            self.run = run
        }
    }

    public struct EmitReply: Codable, Sendable {
        public var run: String
        public var accepted: Int
    }

    public struct CountRequest: Codable, Sendable {
        public var run: String?
        public init(run: String? = nil) { self.run = run }
    }

    public struct CountReply: Codable, Sendable, Equatable {
        public var count: Int
        public var distinct: Int
        public init(count: Int, distinct: Int) {
            self.count = count
            self.distinct = distinct
        }
    }

    /// Records received pings.
    public struct Recorder: EventHandler {
        public init() {}
        public var topicPrefixes: [String] { [Topic.diagnosticPing] }

        public func apply(_ event: ReceivedEvent, in db: Database) throws {
            let ping = try event.decodeData(DiagnosticPing.self)
            try db.cachedStatement(sql: "INSERT INTO diagnostic_pings (producer, sequence, run, ping_index, received_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [event.source, event.sequence, ping.run, ping.index, EventTime.format(Date())])
        }
    }

    /// The request handlers for emitting and counting pings.
    public static func requestHandlers(database: DatabasePool, outbox: Outbox, logger: Logger) -> [String: RequestHandler] {
        [
            emitRequest: { body in
                guard let first = body.first, let request = try? JSONDecoder().decode(EmitRequest.self, from: first) else {
                    throw RemoteError(code: "bad_request", message: "body must be {\"count\": N, \"batch\"?: N, \"rate\"?: N, \"run\"?: \"…\"}")
                }
                if let rate = request.rate, !(1...1_000_000).contains(rate) {
                    throw RemoteError(code: "bad_request", message: "rate must be between 1 and 1000000 events per second")
                }
                guard (1...maximumCount).contains(request.count) else {
                    throw RemoteError(code: "bad_request", message: "count must be between 1 and \(maximumCount)")
                }
                let batch = min(max(request.batch ?? 100, 1), 1000)
                let run = request.run ?? UUID().uuidString.lowercased()
                Task {
                    var index = 0
                    let started = ContinuousClock.now
                    do {
                        while index < request.count {
                            let upper = min(index + batch, request.count)
                            try await database.write { [index] db in
                                for i in index..<upper { try outbox.append(Topic.diagnosticPing, DiagnosticPing(run: run, index: i), in: db) }
                            }
                            index = upper
                            if let rate = request.rate {
                                // Pace: the next batch is due when `index` events would have taken at `rate`.
                                try await Task.sleep(until: started + .microseconds(Int64(index) * 1_000_000 / Int64(rate)))
                            }
                        }
                        logger.info("diagnostic pings emitted", metadata: ["diagnostic.run": "\(run)", "diagnostic.count": "\(index)"])
                    } catch {
                        logger.error("diagnostic ping emission stopped", metadata: ["diagnostic.run": "\(run)", "diagnostic.emitted": "\(index)", "error": "\(error)"])
                    }
                }
                return [try! JSONEncoder().encode(EmitReply(run: run, accepted: request.count))]
            },
            countRequest: { body in
                let request = body.first.flatMap { try? JSONDecoder().decode(CountRequest.self, from: $0) } ?? CountRequest()
                do {
                    let reply = try await database.read { db in
                        let filter = request.run == nil ? "" : " WHERE run = ?"
                        let arguments: StatementArguments = request.run.map { [$0] } ?? []
                        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM diagnostic_pings" + filter, arguments: arguments) ?? 0
                        let distinct = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT producer, sequence FROM diagnostic_pings" + filter + ")", arguments: arguments) ?? 0
                        return CountReply(count: count, distinct: distinct)
                    }
                    return [try JSONEncoder().encode(reply)]
                } catch {
                    throw RemoteError(code: "store_error", message: "\(error)")
                }
            },
        ]
    }
}
