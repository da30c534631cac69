import Logging
import ServiceLifecycle

/// Runs `work` every `interval` until shutdown; an error is logged and the next round goes on.
/// The base of the services' timers: reminders, no-show sweeps, email sending.
public struct PeriodicService: Service {
    public let name: String
    public let interval: Duration
    public let logger: Logger
    public let work: @Sendable () async throws -> Void

    public init(name: String, interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await work()
                } catch {
                    logger.error("\(name) failed", metadata: ["task": "\(name)", "error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
