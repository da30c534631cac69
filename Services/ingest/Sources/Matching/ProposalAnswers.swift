import EcoBus
import EcoModel
import EcoStore
import EcoWaste
import Foundation
import GRDB

/// Records the answers to proposals and the waste-operator licences, in ingest's stream so that
/// every matcher worker applies them at the same point relative to ticks. (The gateway checks that
/// a licence's organisation exists; ingest does not hold organisations.)
public struct ProposalAnswers: Sendable {
    public static let migrations: [Migration] = [
        Migration("ingest.v6.licences") { db in
            try db.execute(sql: """
                CREATE TABLE licences (
                    organisation_id TEXT NOT NULL,
                    chapter TEXT NOT NULL,
                    licence_number TEXT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (organisation_id, chapter)
                );
                CREATE TABLE proposal_answers (
                    proposal_id TEXT NOT NULL,
                    side TEXT NOT NULL,
                    accept INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    PRIMARY KEY (proposal_id, side, accept)
                );
                """)
        },
    ]

    let database: DatabasePool
    let outbox: Outbox
    let catalogue: LERCatalogue

    /// The grid that gives each answer its listing's market part.
    let grid: MarketGrid

    public init(database: DatabasePool, outbox: Outbox, catalogue: LERCatalogue = .shipped, grid: MarketGrid = .standard) {
        self.grid = grid
        self.database = database
        self.outbox = outbox
        self.catalogue = catalogue
    }

    /// Records one side's answer. The side is the one the actor acts for: the listing's company or
    /// organisation, or the demand's requester or organisation. Whether the proposal is still open
    /// is the matcher's call, at the answer's place in the stream. The same answer from the same side
    /// is recorded once: asking again returns the first record, so a side adds at most two events.
    public func respond(_ request: ProposalRequests.Respond, now: Date = Date()) async throws -> ProposalResponded {
        let outbox = self.outbox
        return try await database.write { db in
            guard let listingBody = try Data.fetchOne(db, sql: "SELECT body FROM listings WHERE id = ?", arguments: [request.listingId]),
                  let demandBody = try Data.fetchOne(db, sql: "SELECT body FROM demands WHERE id = ?", arguments: [request.demandId]) else {
                throw RemoteError.notFound("no such proposal")
            }
            let listing = try EventCodec.decoder.decode(Listing.self, from: listingBody)
            let demand = try EventCodec.decoder.decode(Demand.self, from: demandBody)
            let actor = request.actor
            func actsFor(_ account: String, _ organisation: String?) -> Bool {
                actor.accountId == account || (organisation.map { actor.organisationIds.contains($0) } ?? false)
            }
            let side: ProposalSide
            if actsFor(listing.companyId, listing.draft.organisationId) {
                side = .listing
            } else if actsFor(demand.requesterId, demand.draft.organisationId) {
                side = .demand
            } else {
                throw RemoteError(code: "forbidden", message: "only the listing's publisher or the demand's requester answers a proposal")
            }
            let proposalId = MaterialProposal.id(listingId: listing.id, demandId: demand.id)
            if let earlier = try Data.fetchOne(
                db, sql: "SELECT body FROM proposal_answers WHERE proposal_id = ? AND side = ? AND accept = ?",
                arguments: [proposalId, side.rawValue, request.accept]) {
                return try EventCodec.decoder.decode(ProposalResponded.self, from: earlier)
            }
            let response = ProposalResponded(
                proposalId: proposalId, listingId: listing.id, demandId: demand.id, side: side, accept: request.accept, by: actor.accountId, at: now)
            try db.execute(
                sql: "INSERT INTO proposal_answers (proposal_id, side, accept, body) VALUES (?, ?, ?, ?)",
                arguments: [proposalId, side.rawValue, request.accept, try EventCodec.encoder.encode(response)])
            try outbox.append(ProposalResponded.topic, response, partitionKey: grid.part(of: listing), in: db)
            return response
        }
    }

    public func recordLicence(_ request: ProposalRequests.RecordLicence, now: Date = Date()) async throws -> LicenceRecorded {
        guard request.actor.isAdmin else { throw RemoteError(code: "forbidden", message: "only an admin records waste-operator licences") }
        let known = Set(catalogue.entries.values.map(\.chapter))
        let chapters = Array(Set(request.chapters.map { $0.trimmingCharacters(in: .whitespaces) })).sorted()
        guard !chapters.isEmpty else { throw RemoteError.invalid("chapters", "name at least one List of Waste chapter, e.g. 17") }
        if let bad = chapters.first(where: { !known.contains($0) }) {
            throw RemoteError.invalid("chapters", "\(bad) is not a chapter: chapters are two digits from 01 to 20")
        }
        let number = request.licenceNumber.trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, number.count <= 64 else { throw RemoteError.invalid("licenceNumber", "licenceNumber must have 1 to 64 characters") }
        guard !request.organisationId.isEmpty, request.organisationId.count <= 64 else {
            throw RemoteError.invalid("organisationId", "organisationId must have 1 to 64 characters")
        }
        let recorded = LicenceRecorded(
            organisationId: request.organisationId, chapters: chapters, licenceNumber: number, recordedBy: request.actor.accountId, at: now)
        let outbox = self.outbox
        try await database.write { db in
            for chapter in chapters {
                try db.execute(
                    sql: """
                        INSERT INTO licences (organisation_id, chapter, licence_number, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT DO UPDATE SET licence_number = excluded.licence_number, recorded_by = excluded.recorded_by,
                            recorded_at = excluded.recorded_at
                        """,
                    arguments: [recorded.organisationId, chapter, number, recorded.recordedBy, EventTime.format(now)])
            }
            try outbox.append(LicenceRecorded.topic, recorded, in: db)
        }
        return recorded
    }

    public var handlers: [String: RequestHandler] {
        [
            ProposalRequests.respond: { body in
                [try EventCodec.encoder.encode(try await respond(try RemoteError.decodeRequest(ProposalRequests.Respond.self, body)))]
            },
            ProposalRequests.recordLicence: { body in
                [try EventCodec.encoder.encode(try await recordLicence(try RemoteError.decodeRequest(ProposalRequests.RecordLicence.self, body)))]
            },
        ]
    }
}
