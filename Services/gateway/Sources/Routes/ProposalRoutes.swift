import EcoConfig
import EcoModel
import Hummingbird

/// `/v1/proposals`: the matches the matcher proposes between surplus listings and demands, and the
/// answers of both sides; `/v1/listings/shared`, the community feed; waste-operator licences.
/// The matcher workers hold the materials market in parts (docs/decisions/0016): a proposal is
/// asked of each worker in turn until its holder answers, and lists are merged from all of them.
public struct ProposalRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    let matcherCount: Int
    /// The matcher workers heard lately (`MatcherMembership.heard`).
    let heardWorkers: @Sendable () -> [Int]
    static let ingest = ServiceInstance(.ingest)
    var lists: MatcherLists {
        let heard = heardWorkers()
        return MatcherLists(services: services, workers: heard.isEmpty ? Array(0..<max(matcherCount, 1)) : heard)
    }

    /// The workers to ask, the one `key` hashes to first.
    func matchers(for key: String) -> [ServiceInstance] {
        let first = LotOwnership.worker(for: key, workers: matcherCount)
        return (0..<max(matcherCount, 1)).map { ServiceInstance(.matcher, index: (first + $0) % max(matcherCount, 1)) }
    }

    /// Asks the workers in turn until one answers with something: a worker that does not answer, or
    /// that has not applied the stream far enough to know the item yet, sends the question on.
    func read<Reply: Decodable & Sendable>(_ key: String, _ kind: String, _ request: some Encodable & Sendable, as: Reply.Type) async throws -> Reply {
        var notFound: APIError?
        var unavailable: APIError?
        for instance in matchers(for: key) {
            do {
                return try await services.call(instance, kind, request, as: Reply.self)
            } catch let error as APIError where error.body.code == "unavailable" {
                unavailable = error
            } catch let error as APIError where error.body.code == "not_found" {
                notFound = error
            }
        }
        throw notFound ?? unavailable ?? APIError(.serviceUnavailable, code: "unavailable", message: "no matcher worker answered; try again")
    }

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: any signed-in account (proposals where it, or one of its organisations, gives or takes).
        router.get("/v1/proposals") { request, context in
            let principal = try context.requirePrincipal()
            let page = try Page(from: request)
            let start = try page.offset()
            let actor = try await accounts.actor(for: principal)
            let result: ProposalRequests.Page<MaterialProposal> = try await lists.page(
                ProposalRequests.listForAccount, offset: start, limit: page.limit,
                request: { ProposalRequests.ListForAccount(accountId: actor.accountId, organisationIds: actor.organisationIds, limit: $0, offset: 0) },
                inOrder: { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) })
            return try JSONResponse.make(.ok, PageResult(items: result.items, nextCursor: Page.nextCursor(start: start, count: result.items.count, total: result.total)))
        }
        // Roles: the proposal's two sides, admin.
        router.get("/v1/proposals/:id") { _, context in
            try JSONResponse.make(.ok, try await visibleProposal(context))
        }
        // Roles: the proposal's two sides (each answers for its own side).
        router.post("/v1/proposals/:id/accept") { _, context in
            try await answer(context, accept: true)
        }
        router.post("/v1/proposals/:id/decline") { _, context in
            try await answer(context, accept: false)
        }
        // Roles: public (the community feed of listings nobody matched in time; never hazardous ones).
        router.get("/v1/listings/shared") { request, _ in
            let page = try Page(from: request)
            let start = try page.offset()
            let result: ProposalRequests.Page<ProposalRequests.SharedItem> = try await lists.page(
                ProposalRequests.sharedFeed, offset: start, limit: page.limit, request: { ProposalRequests.SharedFeed(limit: $0, offset: 0) },
                inOrder: { ($0.sharedAt, $1.listing.id) > ($1.sharedAt, $0.listing.id) })
            return try JSONResponse.make(.ok, PageResult(items: result.items, nextCursor: Page.nextCursor(start: start, count: result.items.count, total: result.total)))
        }
        // Roles: admin (records that an organisation holds a waste-operator licence for some chapters).
        router.post("/v1/organisations/:id/licences") { request, context in
            let principal = try context.require([.admin])
            struct Body: Decodable { var chapters: [String]; var licenceNumber: String }
            let body = try await RequestBody.decode(Body.self, from: request, context: context)
            let organisationId = context.parameters.get("id") ?? ""
            guard try await accounts.organisation(id: organisationId) != nil else {
                throw APIError(.notFound, code: "not_found", message: "no organisation \(organisationId)")
            }
            let actor = try await accounts.actor(for: principal)
            let record = ProposalRequests.RecordLicence(
                actor: actor, organisationId: organisationId, chapters: body.chapters, licenceNumber: body.licenceNumber)
            return try JSONResponse.make(.created, try await services.call(Self.ingest, ProposalRequests.recordLicence, record, as: LicenceRecorded.self))
        }
    }

    /// The proposal, if the caller is one of its sides (404 otherwise, so ids reveal nothing).
    func visibleProposal(_ context: GatewayRequestContext) async throws -> MaterialProposal {
        let principal = try context.requirePrincipal()
        let id = context.parameters.get("id") ?? ""
        let notFound = APIError(.notFound, code: "not_found", message: "no proposal \(id)")
        guard id.count <= 64 else { throw notFound }
        do {
            let viewer = try await accounts.actor(for: principal)
            return try await read(id, ProposalRequests.get, ProposalRequests.Get(proposalId: id, viewer: viewer), as: MaterialProposal.self)
        } catch let error as APIError where error.body.code == "not_found" {
            throw notFound
        }
    }

    /// Whether the caller is the proposal's giver or taker, or acts for one's organisation.
    func isSide(_ principal: Principal, of proposal: MaterialProposal) async throws -> Bool {
        let actor = try await accounts.actor(for: principal)
        let organisations = [proposal.giverOrganisationId, proposal.takerOrganisationId].compactMap { $0 }
        return [proposal.giverId, proposal.takerId].contains(actor.accountId) || organisations.contains(where: actor.organisationIds.contains)
    }

    /// Records the caller's answer with ingest; the proposal's new state follows on the bus, so the
    /// reply is 202 with the answer as recorded.
    func answer(_ context: GatewayRequestContext, accept: Bool) async throws -> Response {
        let proposal = try await visibleProposal(context)
        guard try await isSide(try context.requirePrincipal(), of: proposal) else {
            throw APIError(.forbidden, code: "forbidden", message: "only the proposal's giver or taker answers it")
        }
        guard proposal.status == .proposed else {
            throw APIError(.conflict, code: "proposal_closed", message: "the proposal is \(proposal.status.rawValue); it takes no more answers")
        }
        let actor = try await accounts.actor(for: try context.requirePrincipal())
        let response = try await services.call(
            Self.ingest, ProposalRequests.respond,
            ProposalRequests.Respond(actor: actor, listingId: proposal.listingId, demandId: proposal.demandId, accept: accept),
            as: ProposalResponded.self)
        return try JSONResponse.make(.accepted, response)
    }
}
