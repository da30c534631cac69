import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB

/// Collector missions on a worker's own lots. A mission holds a reservation for the association,
/// so the lot's baskets are allocated by the same rules as any other reservation.
public struct MissionBook: Sendable {
    public static let migrations: [Migration] = [
        Migration("matcher.v2.missions") { db in
            try db.execute(sql: """
                CREATE TABLE missions (
                    id TEXT PRIMARY KEY NOT NULL,
                    lot_id TEXT NOT NULL,
                    association_id TEXT NOT NULL,
                    collector_id TEXT,
                    reservation_id TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL,
                    delivery_code_hash TEXT NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX missions_status ON missions(status);
                """)
        },
    ]

    let book: ReservationBook

    public init(book: ReservationBook) { self.book = book }

    public func create(_ request: MissionRequests.Create, now: Date = Date()) async throws -> MissionRequests.Created {
        let book = self.book
        return try await book.database.write { db in
            guard let availability = try ReservationBook.availability(request.lotId, db) else { throw RemoteError.notFound("no lot \(request.lotId)") }
            let baskets = request.baskets ?? availability.remaining
            guard baskets >= 1 else { throw RemoteError.conflict("the lot has no baskets left to collect") }
            // An association collects for the people it serves: free lots are open to it, without a personal quota.
            let reservation = try book.reserve(
                id: UUID().uuidString.lowercased(),
                ReservationRequests.Create(lotId: request.lotId, takerId: request.associationId, takerIsBeneficiary: true, baskets: baskets),
                now: now, in: db)
            let mission = Mission(
                id: UUID().uuidString.lowercased(), lotId: request.lotId, associationId: request.associationId, collectorId: nil,
                reservationId: reservation.id, merchantId: reservation.merchantId, baskets: baskets,
                pickupStart: reservation.pickupStart, pickupEnd: reservation.pickupEnd, status: .requested, createdAt: now, updatedAt: now)
            // The delivery code is derived by the pickup validator (docs/decisions/0006): no hash of it
            // is kept here, so none travels with the lot when it moves (0017).
            try db.execute(
                sql: "INSERT INTO missions (id, lot_id, association_id, reservation_id, status, delivery_code_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [mission.id, mission.lotId, mission.associationId, mission.reservationId, mission.status.rawValue,
                            Self.derivedCode, try EventCodec.encoder.encode(mission)])
            try book.outbox.append(MissionChanged.requestedTopic, MissionChanged(mission: mission), in: db)
            return MissionRequests.Created(mission: mission, deliveryCode: nil)
        }
    }

    public func accept(_ request: MissionRequests.Accept, now: Date = Date()) async throws -> Mission {
        try await change(request.missionId, now: now) { mission in
            guard mission.status == .requested else { throw RemoteError.conflict("the mission is \(mission.status.rawValue)") }
            guard mission.pickupEnd > now else { throw RemoteError.conflict("the lot's pickup window has ended") }
            mission.collectorId = request.collectorId
            mission.status = .accepted
            return MissionChanged.acceptedTopic
        }
    }

    /// `delivery_code_hash` of a mission whose code the pickup validator derives. Missions created
    /// before that keep the hash of the random code they were shown, which the validator checks.
    static let derivedCode = ""

    /// Records the delivery. The code is checked by `checkCode` (the pickup validator, which counts
    /// wrong codes), given the mission and, for a mission from before derived codes, its stored
    /// hash, once the mission is known to be deliverable by this actor.
    public func deliver(
        _ request: MissionRequests.Deliver, now: Date = Date(), checkCode: @Sendable (Mission, _ legacyHash: String?) async throws -> Void
    ) async throws -> Mission {
        guard let (mission, storedHash) = try await withCodeHash(request.missionId) else {
            throw RemoteError.notFound("no mission \(request.missionId)")
        }
        try Self.checkDeliverable(mission, by: request.actorId)
        try await checkCode(mission, storedHash == Self.derivedCode ? nil : storedHash)
        return try await change(request.missionId, now: now) { mission in
            try Self.checkDeliverable(mission, by: request.actorId)
            mission.status = .delivered
            return MissionChanged.deliveredTopic
        }
    }

    /// The mission whose delivery code its association asks for; refused for a mission from before
    /// derived codes, whose code was shown once, at its creation.
    public func forDeliveryCode(_ request: MissionRequests.DeliveryCodeOf) async throws -> Mission {
        guard let (mission, storedHash) = try await withCodeHash(request.missionId), mission.associationId == request.associationId else {
            throw RemoteError.notFound("no mission \(request.missionId)")
        }
        guard storedHash == Self.derivedCode else {
            throw RemoteError.conflict("this mission's delivery code was shown once, when it was created")
        }
        return mission
    }

    /// The mission and its `delivery_code_hash`, in one read.
    private func withCodeHash(_ id: String) async throws -> (Mission, String)? {
        try await book.database.read { db in
            try Row.fetchOne(db, sql: "SELECT body, delivery_code_hash FROM missions WHERE id = ?", arguments: [id]).map {
                (try EventCodec.decoder.decode(Mission.self, from: $0["body"] as Data), $0["delivery_code_hash"] as String)
            }
        }
    }

    private static func checkDeliverable(_ mission: Mission, by actorId: String) throws {
        guard actorId == mission.collectorId || actorId == mission.associationId else {
            throw RemoteError.notFound("no mission \(mission.id)")
        }
        guard mission.status == .collected else {
            throw RemoteError.conflict("the mission is \(mission.status.rawValue); it is delivered once collected")
        }
    }

    /// The merchant validated the mission's pickup.
    func collected(reservationId: String, in db: Database) throws {
        guard var mission = try Self.missions(db, "reservation_id = ?", [reservationId]).first, mission.status == .accepted || mission.status == .requested else { return }
        mission.status = .collected
        mission.updatedAt = Date()
        try Self.store(mission, db)
        try book.outbox.append(MissionChanged.collectedTopic, MissionChanged(mission: mission), in: db)
    }

    public func mission(id: String) async throws -> Mission? {
        try await book.database.read { db in try Self.missions(db, "id = ?", [id]).first }
    }

    /// The mission if `viewer` may see it, filtered in the query.
    public func mission(id: String, visibleTo viewer: MissionRequests.Viewer) async throws -> Mission? {
        try await book.database.read { db in
            try Self.missions(
                db, "id = ? AND (? OR association_id = ? OR collector_id = ? OR (? AND status = ?))",
                [id, viewer.isAdmin, viewer.accountId, viewer.accountId, viewer.isCollector, MissionStatus.requested.rawValue]
            ).first
        }
    }

    public func list(_ request: MissionRequests.List) async throws -> [Mission] {
        try await book.database.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let status = request.status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            if let account = request.accountId {
                conditions.append("(association_id = ? OR collector_id = ?)")
                arguments += [account, account]
            }
            let filter = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
            return try Self.missions(db, "\(filter) LIMIT 200", arguments)
        }
    }

    private func change(_ id: String, now: Date, _ update: @Sendable (inout Mission) throws -> String) async throws -> Mission {
        let book = self.book
        return try await book.database.write { db in
            guard var mission = try Self.missions(db, "id = ?", [id]).first else { throw RemoteError.notFound("no mission \(id)") }
            let topic = try update(&mission)
            mission.updatedAt = now
            try Self.store(mission, db)
            try book.outbox.append(topic, MissionChanged(mission: mission), in: db)
            return mission
        }
    }

    static func store(_ mission: Mission, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE missions SET collector_id = ?, status = ?, body = ? WHERE id = ?",
            arguments: [mission.collectorId, mission.status.rawValue, try EventCodec.encoder.encode(mission), mission.id])
    }

    static func missions(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws -> [Mission] {
        try Data.fetchAll(db, sql: "SELECT body FROM missions WHERE \(condition)", arguments: arguments).map {
            try EventCodec.decoder.decode(Mission.self, from: $0)
        }
    }
}
