import EcoBus
import EcoModel
import EcoStore
import GRDB

/// Which lot (and so which matcher worker) each collector mission belongs to. Written when the
/// gateway makes the mission and again from `mission.requested`.
public struct MissionIndex: Sendable {
    public static let migrations: [Migration] = [
        Migration("gateway.v3.mission-index") { db in
            try db.execute(sql: "CREATE TABLE mission_index (id TEXT PRIMARY KEY NOT NULL, lot_id TEXT NOT NULL)")
        },
    ]

    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) { self.database = database }

    public func record(_ mission: Mission) async throws {
        try await database.write { db in try Self.record(mission, db) }
    }

    static func record(_ mission: Mission, _ db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO mission_index (id, lot_id) VALUES (?, ?)", arguments: [mission.id, mission.lotId])
    }

    public func lot(ofMission id: String) async throws -> String? {
        try await database.read { db in try String.fetchOne(db, sql: "SELECT lot_id FROM mission_index WHERE id = ?", arguments: [id]) }
    }
}

/// Applies `mission.requested` to the index.
public struct MissionIndexProjection: EventHandler {
    public init() {}
    public var topicPrefixes: [String] { [MissionChanged.requestedTopic] }
    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        try MissionIndex.record(try event.decodeData(MissionChanged.self).mission, db)
    }
}
