import Foundation
import Logging

/// Answers one kind of request: returns the reply body frames, or throws (a `RemoteError` is sent
/// back as it is; any other error as `internal`).
public typealias RequestHandler = @Sendable ([Data]) async throws -> [Data]

/// Dispatches requests received on a service's ROUTER socket to handlers by kind, concurrently,
/// and sends each answer back. An unknown kind gets an `unknown_request` error.
public struct RequestRouter: Sendable {
    private let handlers: [String: RequestHandler]
    private let logger: Logger

    public init(handlers: [String: RequestHandler], logger: Logger) {
        self.handlers = handlers
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

    private func handle(_ request: IncomingRequest, loop: SocketLoop) async {
        guard let handler = handlers[request.kind] else {
            loop.replyError(to: request, RemoteError(code: "unknown_request", message: "no handler for '\(request.kind)'; known: \(kinds.joined(separator: ", "))"))
            return
        }
        do {
            let body = try await handler(request.body)
            loop.reply(to: request, body: body)
        } catch let error as RemoteError {
            logger.debug("bus request refused", metadata: ["bus.kind": "\(request.kind)", "error": "\(error)"])
            loop.replyError(to: request, error)
        } catch {
            logger.error("bus request failed", metadata: ["bus.kind": "\(request.kind)", "error": "\(error)"])
            loop.replyError(to: request, RemoteError(code: "internal", message: "\(error)"))
        }
    }
}
