import EcoBus
import Foundation
import GRDB
import Logging
import Synchronization

/// Holds a service's writer for a backup (`backup.hold` / `backup.release`): while every service of
/// the deployment is held, no store commits anything, so files copied then are one consistent cut
/// (no consumer has applied an event its producer's copy lacks). A hold ends on release or after its
/// time, whichever comes first, so a backup that dies never stops the service for long.
public final class BackupHold: Sendable {
    private struct Held: Sendable {
        let backupId: String
        let release: DispatchSemaphore
    }

    private let instance: String
    private let database: DatabasePool
    private let logger: Logger
    private let current = Mutex<Held?>(nil)

    public init(instance: String, database: DatabasePool, logger: Logger) {
        self.instance = instance
        self.database = database
        self.logger = logger
    }

    /// The two request handlers, by kind.
    public var handlers: [String: RequestHandler] {
        [
            BackupRequests.hold: { [self] body in
                let request = try RemoteError.decodeRequest(BackupRequests.Hold.self, body)
                return [try EventCodec.encoder.encode(try await hold(request))]
            },
            BackupRequests.release: { [self] body in
                let request = try RemoteError.decodeRequest(BackupRequests.Release.self, body)
                return [try EventCodec.encoder.encode(BackupRequests.Released(wasHeld: release(request.backupId)))]
            },
        ]
    }

    /// Holds the writer; returns once it is held, with the outbox's latest sequence at that moment.
    func hold(_ request: BackupRequests.Hold) async throws -> BackupRequests.Held {
        guard request.seconds > 0, request.seconds.isFinite else { throw RemoteError.badRequest("seconds must be positive") }
        let seconds = min(request.seconds, BackupRequests.maximumHoldSeconds)
        let held = Held(backupId: request.backupId, release: DispatchSemaphore(value: 0))
        let taken = current.withLock { slot -> Bool in
            guard slot == nil else { return false }
            slot = held
            return true
        }
        guard taken else { throw RemoteError.conflict("another backup holds \(instance)") }
        let database = self.database, logger = self.logger, instance = self.instance
        let resumed = Once()
        let latest: Int64 = try await withCheckedThrowingContinuation { holding in
            /// Resumes the caller once: with the sequence when the writer is held, or with the error.
            @Sendable func answer(_ result: Result<Int64, any Error>) {
                guard resumed.first() else { return }
                holding.resume(with: result)
            }
            Task.detached {
                do {
                    try await database.write { db in
                        answer(.success(try Outbox.latestSequence(db)))
                        if held.release.wait(timeout: .now() + seconds) == .timedOut {
                            logger.warning("backup hold ran out of time; writes resume", metadata: ["backup.id": "\(held.backupId)"])
                        }
                        // Cleared before the writer is let go, so the next hold or write sees it gone.
                        self.current.withLock { if $0?.backupId == held.backupId { $0 = nil } }
                    }
                } catch {
                    self.current.withLock { if $0?.backupId == held.backupId { $0 = nil } }
                    answer(.failure(error))
                }
            }
        }
        logger.notice("writes held for a backup", metadata: ["backup.id": "\(request.backupId)", "bus.latest": "\(latest)"])
        return BackupRequests.Held(instance: instance, latest: latest)
    }

    /// Lets the writer go; false when this backup holds nothing (its time ran out, or it never held).
    func release(_ backupId: String) -> Bool {
        guard let held = current.withLock({ $0?.backupId == backupId ? $0 : nil }) else { return false }
        held.release.signal()
        logger.notice("writes resumed after a backup", metadata: ["backup.id": "\(backupId)"])
        return true
    }
}

/// True the first time only: a continuation is resumed once.
private final class Once: Sendable {
    private let done = Mutex(false)
    func first() -> Bool { done.withLock { done in defer { done = true }; return !done } }
}
