import EcoBus
import EcoModel
import Foundation
import GRDB
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Sends due webhook deliveries, several at once (each the head of its own subscription-and-report
/// chain, see `WebhookQueue`), and logs every attempt. It wakes when the fan-out commits new
/// deliveries, when an attempt ends, and when the next retry falls due. An attempt cut short by
/// shutdown is not logged: the delivery stays pending and goes out after the restart.
public struct WebhookDispatcher: Service {
    /// Longest sleep with nothing due, in case a wake-up was missed.
    static let idle: Duration = .seconds(5)

    let database: any DatabaseWriter
    /// Makes the HTTP client when the dispatcher runs, so that a process that fails before then
    /// (a port taken, say) has no client left to shut down.
    let makeSender: @Sendable () -> WebhookSender
    let settings: WebhookSettings
    let wake: WakeSignal
    let secrets: WebhookSecrets
    let logger: Logger
    private let delivered = Counter(label: "ecoresupply_webhook_attempts_total", dimensions: [("outcome", "delivered")])
    private let failed = Counter(label: "ecoresupply_webhook_attempts_total", dimensions: [("outcome", "failed")])

    public init(
        database: any DatabaseWriter, sender makeSender: @escaping @Sendable () -> WebhookSender, settings: WebhookSettings, wake: WakeSignal,
        secrets: WebhookSecrets, logger: Logger
    ) {
        self.secrets = secrets
        self.database = database
        self.makeSender = makeSender
        self.settings = settings
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        let sender = makeSender()
        await cancelWhenGracefulShutdown { await dispatch(sender) }
        await sender.shutdown()
    }

    private func dispatch(_ sender: WebhookSender) async {
        let inFlight = InFlight()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                var wait = Self.idle
                let busy = inFlight.ids.withLock { $0 }
                if busy.count < settings.concurrency {
                    do {
                        let now = Date()
                        let room = settings.concurrency - busy.count
                        let (due, nextAt) = try await database.read { db in try WebhookQueue.due(at: now, excluding: busy, limit: room, in: db) }
                        for delivery in due {
                            inFlight.ids.withLock { _ = $0.insert(delivery.id) }
                            group.addTask {
                                await attempt(delivery, sender)
                                inFlight.ids.withLock { _ = $0.remove(delivery.id) }
                                wake.signal()
                            }
                        }
                        if let nextAt {
                            wait = min(wait, .milliseconds(max(1, Int64((nextAt.timeIntervalSince(now) * 1000).rounded(.up)))))
                        }
                    } catch {
                        logger.error("webhook queue read failed", metadata: ["error": "\(error)"])
                        wait = .seconds(1)
                    }
                }
                await wake.wait(upTo: wait)
            }
        }
    }

    private func attempt(_ delivery: DueDelivery, _ sender: WebhookSender) async {
        let attempt: WebhookAttempt
        if let secret = try? secrets.open(delivery.secret) {
            var opened = delivery
            opened.secret = secret
            attempt = await sender.send(opened)
        } else {
            // Sealed under another key: a failed attempt, retried with back-off, never dropped.
            attempt = WebhookAttempt(at: Date(), httpStatus: nil, error: "the secret cannot be opened with this --secrets-key-file", durationMs: 0)
        }
        guard !Task.isCancelled else { return }
        let metadata: Logger.Metadata = [
            "webhook.id": "\(delivery.subscriptionId)", "webhook.delivery": "\(delivery.id)", "event.id": "\(delivery.eventId)",
            "event.type": "\(delivery.eventType)", "report.id": "\(delivery.reportId)", "event.sequence": "\(delivery.sequence)",
            "http.status": "\(attempt.httpStatus.map(String.init) ?? "none")", "webhook.duration_ms": "\(attempt.durationMs)",
        ]
        do {
            let settings = self.settings
            let attempts = try await database.write { db in try WebhookQueue.record(attempt, for: delivery.id, settings: settings, in: db) }
            if attempt.succeeded {
                delivered.increment()
                logger.info("webhook delivered", metadata: metadata.merging(["webhook.attempts": "\(attempts)"]) { first, _ in first })
            } else {
                failed.increment()
                logger.warning("webhook attempt failed", metadata: metadata.merging([
                    "webhook.attempts": "\(attempts)", "error": "\(attempt.error ?? "HTTP \(attempt.httpStatus ?? 0)")",
                    "webhook.retry_in_s": "\(settings.delay(afterAttempts: attempts))",
                ]) { first, _ in first })
            }
        } catch {
            // Not recorded: the delivery stays due and is tried again, after a pause so as not to hammer the endpoint.
            logger.error("webhook attempt not recorded", metadata: metadata.merging(["error": "\(error)"]) { first, _ in first })
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// The ids of the deliveries being sent, shared by the loop and the sending tasks.
private final class InFlight: Sendable {
    let ids = Mutex<Set<Int64>>([])
}
