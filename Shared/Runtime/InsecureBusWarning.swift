import EcoConfig
import Logging
import ServiceLifecycle

/// Says every minute that the bus runs without keys off loopback (`--insecure-bus`), so that an
/// operator who tails the logs cannot miss it.
public struct InsecureBusWarning: Service {
    let host: String
    let logger: Logger

    public init(host: String, logger: Logger) {
        self.host = host
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled {
            logger.warning("the bus runs without keys on an address other machines reach (--insecure-bus): anyone there can publish and subscribe", metadata: [
                "bus.host": "\(host)",
            ])
            try? await Task.sleep(for: .seconds(60))
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
    }
}
