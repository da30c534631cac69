import EcoBus
import EcoConfig
import EcoModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// `GET /streams/reports`: citizen-report events as Server-Sent Events for the authority whose key
/// (or session) opens the stream, every event once and in order, resuming after `Last-Event-ID`.
public struct StreamRoutes: Sendable {
    let accounts: any AccountStore
    let services: ServiceCaller
    let source: any ReportEventSource
    let signal: ReportStreamSignal
    let keepAlive: Duration
    let logger: Logger
    /// Open streams one gateway serves at most.
    static let maximumStreams = 200
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    static let ingest = ServiceInstance(.ingest)
    static let openStreams = Gauge(label: "ecoresupply_report_streams_open")
    static let eventsSent = Counter(label: "ecoresupply_report_stream_events_sent_total")

    public func register(on router: Router<GatewayRequestContext>) {
        // Roles: members of an organisation bound to a jurisdiction (its reports), admin (all reports).
        router.get("/streams/reports") { request, context in
            let principal = try context.requirePrincipal()
            let actor = try await accounts.actor(for: principal)
            let jurisdictions = try await jurisdictions(of: actor)
            let resume: Int64?
            do {
                resume = try ReportStreamSession.resumePosition(
                    header: request.headers[Self.lastEventID], query: request.uri.queryParameters["lastEventId"].map(String.init))
            } catch {
                throw APIError(.badRequest, code: "invalid_field", message: "Last-Event-ID must be an event id this stream sent (a whole number)", field: "Last-Event-ID")
            }
            guard signal.subscriberCount < Self.maximumStreams else {
                throw APIError(.serviceUnavailable, code: "too_many_streams", message: "this gateway serves \(Self.maximumStreams) streams at most; try again later")
            }
            let start: Int64
            if let resume {
                start = resume
            } else {
                do { start = try await source.latest() } catch { throw APIError.unavailable }
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody { [signal, source, keepAlive, logger] writer in
                    let subscription = signal.subscribe(keepAlive: keepAlive)
                    Self.openStreams.record(signal.subscriberCount)
                    var session = ReportStreamSession(source: source, jurisdictions: jurisdictions, after: start)
                    logger.info("report stream opened", metadata: [
                        "account.id": "\(principal.accountID)", "stream.after": "\(start)",
                        "stream.jurisdictions": "\(jurisdictions.map { $0.sorted().joined(separator: ",") } ?? "all")",
                    ])
                    defer {
                        signal.end(subscription)
                        Self.openStreams.record(signal.subscriberCount)
                        logger.info("report stream closed", metadata: ["account.id": "\(principal.accountID)", "stream.cursor": "\(session.cursor)"])
                    }
                    try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                    var wake = ReportStreamSignal.Wake.event
                    var wakes = subscription.wakes.makeAsyncIterator()
                    repeat {
                        do {
                            var sent = 0
                            try await session.drain { event in
                                try await writer.write(ByteBuffer(string: event.framed))
                                sent += 1
                            }
                            Self.eventsSent.increment(by: sent)
                            if sent == 0, wake == .keepAlive { try await writer.write(ByteBuffer(string: ServerSentEvent.comment("keep-alive"))) }
                        } catch let error where error is BusRequestError || error is DecodingError {
                            logger.warning("report stream cannot read ingest", metadata: ["error": "\(error)"])
                            try await writer.write(ByteBuffer(string: ServerSentEvent.comment("ingest is not answering; retrying")))
                        }
                        guard let next = await wakes.next() else { break }
                        wake = next
                    } while !Task.isCancelled
                    try await writer.finish(nil)
                })
        }
    }

    /// The jurisdictions an account's stream carries: all for an admin, else those bound to its organisations.
    func jurisdictions(of actor: Actor) async throws -> Set<String>? {
        if actor.isAdmin { return nil }
        let bound = try await services.call(
            Self.ingest, ReportStatusRequests.bindings, ReportStatusRequests.Bindings(organisationIds: actor.organisationIds),
            as: [ReportStatusRequests.Bound].self)
        guard !bound.isEmpty else {
            throw APIError(.forbidden, code: "forbidden", message: "this account acts for no jurisdiction; an admin binds its organisation with PUT /v1/jurisdictions/{id}/organisation")
        }
        return Set(bound.map(\.jurisdictionId))
    }
}
