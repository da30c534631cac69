import Foundation
import Logging

/// Answers one kind of request: returns the reply body frames, or throws (a `RemoteError` is sent
/// back as it is; any other error as `internal`).
public typealias RequestHandler = @Sendable ([Data]) async throws -> [Data]

/// Dispatches requests received on a service's ROUTER socket to handlers by kind, concurrently,
/// and sends each answer back. An unknown kind gets an `unknown_request` error.
public struct RequestRouter: Sendable {
    /// Decides, before any handler runs, whether the asker may make this request, and may narrow
    /// it (a subscriber key's replay to its prefixes); a `RemoteError` refuses it.
    public typealias Admission = @Sendable (IncomingRequest) -> Result<IncomingRequest, RemoteError>

    private let handlers: [String: RequestHandler]
    private let admission: Admission?
    private let logger: Logger

    public init(handlers: [String: RequestHandler], admission: Admission? = nil, logger: Logger) {
        self.handlers = handlers
        self.admission = admission
        self.logger = logger
    }

    public var kinds: [String] { handlers.keys.sorted() }

    /// Serves requests until the loop stops.
    public func serve(_ loop: SocketLoop) async {
        await withDiscardingTaskGroup { group in
            for await request in loop.requests {
                group.addTask { await handle(request, loop: loop) }
            }
        }
    }

    private func handle(_ asked: IncomingRequest, loop: SocketLoop) async {
        // The asker's trace is current while the request is answered: the events it causes carry
        // it on, and every line logged meanwhile names it (docs/decisions/0018).
        await TraceContext.$current.withValue(asked.trace) { await answer(asked, loop: loop) }
    }

    private func answer(_ asked: IncomingRequest, loop: SocketLoop) async {
        let started = ContinuousClock.now
        let request: IncomingRequest
        switch admission?(asked) ?? .success(asked) {
        case .success(let admitted): request = admitted
        case .failure(let refusal):
            logger.warning("bus request refused", metadata: ["bus.kind": "\(asked.kind)", "bus.sender": "\(asked.sender ?? "none")", "error": "\(refusal.message)"])
            loop.replyError(to: asked, refusal)
            return
        }
        guard let handler = handlers[request.kind] else {
            loop.replyError(to: request, RemoteError(code: "unknown_request", message: "no handler for '\(request.kind)'; known: \(kinds.joined(separator: ", "))"))
            return
        }
        do {
            let body = try await handler(request.body)
            loop.reply(to: request, body: body)
            logger.debug("bus request answered", metadata: ["bus.kind": "\(request.kind)", "duration.ms": "\(started.millisecondsToNow)"])
        } catch let error as RemoteError {
            logger.debug("bus request refused", metadata: [
                "bus.kind": "\(request.kind)", "error": "\(error)", "duration.ms": "\(started.millisecondsToNow)",
            ])
            loop.replyError(to: request, error)
        } catch {
            logger.error("bus request failed", metadata: ["bus.kind": "\(request.kind)", "error": "\(error)"])
            loop.replyError(to: request, RemoteError(code: "internal", message: "\(error)"))
        }
    }
}
