import Foundation
import Logging
import ServiceLifecycle

/// Ends a process whose supervisor (`ecoresupply up`) is gone, so that killing the supervisor
/// never leaves orphaned services holding ports and files. Active when the supervisor set
/// `ECORESUPPLY_SUPERVISOR_PID`: once the parent process is no longer that pid, this service returns
/// and the group shuts down gracefully.
public struct SupervisorWatch: Service {
    public static let environmentKey = "ECORESUPPLY_SUPERVISOR_PID"

    let supervisor: Int32
    let logger: Logger

    public init?(environment: [String: String], logger: Logger) {
        guard let text = environment[Self.environmentKey], let pid = Int32(text), pid > 1 else { return nil }
        supervisor = pid
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if getppid() != supervisor {
                    logger.warning("supervisor is gone; shutting down", metadata: ["process.supervisor": "\(supervisor)"])
                    return
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
