import EcoBus
import EcoModel
import EcoStore
import EcoWaste
import Foundation
import GRDB

/// Demands for materials, equipment and waste, checked and announced on `demand.published`.
public struct DemandStore: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v5.demands") { db in
            try db.execute(sql: """
                CREATE TABLE demands (
                    id TEXT PRIMARY KEY NOT NULL,
                    requester_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL
                )
                """)
        },
    ]
    public static let maximumDistanceKm = 500.0
    public static let maximumCodes = 50

    let database: DatabasePool
    let outbox: Outbox
    let catalogue: LERCatalogue
    let area: PublishingArea

    /// The grid that gives each demand its market part.
    let grid: MarketGrid

    public init(database: DatabasePool, outbox: Outbox, catalogue: LERCatalogue = .shipped, area: PublishingArea, grid: MarketGrid = .standard) {
        self.grid = grid
        self.area = area
        self.database = database
        self.outbox = outbox
        self.catalogue = catalogue
    }

    /// Checks a demand; returns its codes and chapters in normal form.
    public static func validate(_ draft: DemandDraft, catalogue: LERCatalogue, now: Date = Date()) throws(RemoteError) -> (codes: [String], chapters: [String]) {
        var codes: [String] = []
        for (index, text) in (draft.lerCodes ?? []).enumerated() {
            do {
                codes.append(try catalogue.entry(for: text).code)
            } catch {
                throw .invalid("lerCodes[\(index)]", error.description)
            }
        }
        let knownChapters = Set(catalogue.entries.values.map(\.chapter))
        let chapters = (draft.chapters ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        if let bad = chapters.firstIndex(where: { !knownChapters.contains($0) }) {
            throw .invalid("chapters[\(bad)]", "chapters are two digits from 01 to 20")
        }
        guard !codes.isEmpty || !chapters.isEmpty || !(draft.kinds ?? []).isEmpty else {
            throw .invalid("lerCodes", "say what is wanted: lerCodes, chapters or kinds")
        }
        guard codes.count + chapters.count <= maximumCodes else { throw .invalid("lerCodes", "at most \(maximumCodes) codes and chapters") }
        guard !draft.title.trimmingCharacters(in: .whitespaces).isEmpty, draft.title.count <= 120 else {
            throw .invalid("title", "title must have 1 to 120 characters")
        }
        guard draft.minimumKg.isFinite, draft.minimumKg > 0 else { throw .invalid("minimumKg", "minimumKg must be above 0") }
        guard draft.maximumKg.isFinite, draft.maximumKg >= draft.minimumKg else { throw .invalid("maximumKg", "maximumKg must be at least minimumKg") }
        guard draft.location.point.isValid else { throw .invalid("location", "location needs a valid latitude and longitude") }
        guard draft.maximumDistanceKm > 0, draft.maximumDistanceKm <= maximumDistanceKm else {
            throw .invalid("maximumDistanceKm", "maximumDistanceKm must be above 0 and at most \(Int(maximumDistanceKm))")
        }
        guard draft.neededUntil > draft.neededFrom else { throw .invalid("neededUntil", "neededUntil must come after neededFrom") }
        guard draft.neededUntil > now else { throw .invalid("neededUntil", "neededUntil must be in the future") }
        return (Array(Set(codes)).sorted(), Array(Set(chapters)).sorted())
    }

    public func create(_ draft: DemandDraft, by actor: Actor, now: Date = Date()) async throws -> Demand {
        let (codes, chapters) = try Self.validate(draft, catalogue: catalogue, now: now)
        try area.check(draft.location.point)
        if let organisation = draft.organisationId, !actor.organisationIds.contains(organisation) {
            throw RemoteError(code: "forbidden", message: "you do not act for organisation \(organisation)", field: "organisationId")
        }
        let demand = Demand(
            id: UUID().uuidString.lowercased(), requesterId: actor.accountId, draft: draft, lerCodes: codes, chapters: chapters,
            version: 1, createdAt: now)
        let outbox = self.outbox
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO demands (id, requester_id, version, body, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [demand.id, demand.requesterId, demand.version, try EventCodec.encoder.encode(demand), EventTime.format(now)])
            try outbox.append(DemandPublished.topic, DemandPublished(demand: demand), partitionKey: grid.part(of: demand), in: db)
        }
        return demand
    }

    public var handlers: [String: RequestHandler] {
        [
            DemandRequests.create: { body in
                let request = try RemoteError.decodeRequest(DemandRequests.Create.self, body)
                return [try EventCodec.encoder.encode(try await create(request.draft, by: request.actor))]
            },
        ]
    }
}
