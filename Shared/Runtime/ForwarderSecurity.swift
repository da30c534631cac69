import EcoBus
import Foundation
import Logging
import ZeroMQ

/// The forwarder's side of the bus keys (docs/decisions/0012): who may publish (the deployment's
/// services), who may subscribe (its processes, and subscriber keys not revoked), and to what.
public struct ForwarderSecurity: Sendable {
    public let registry: BusKeyRegistry

    public init(registry: BusKeyRegistry) { self.registry = registry }

    /// The identity a connection gets on the forwarder's domains, or nil to refuse it.
    public func identity(for request: ZAPAuthenticator.Request) -> String? {
        guard request.mechanism == "CURVE", let key = request.clientKey else { return nil }
        let keyring = registry.current
        switch request.domain {
        case BusCurve.publishDomain:
            guard let name = keyring.identity(of: key), name != BusKeyDirectory.cliName, name != BusKeyDirectory.forwarderName else { return nil }
            return name
        case BusCurve.subscribeDomain:
            return keyring.identity(of: key) ?? keyring.subscriberIdentity(of: key)
        default:
            return nil
        }
    }

    /// Whether `identity` may subscribe to `prefix`: a deployment process to anything, a
    /// subscriber to its prefixes and the heartbeats.
    public func allows(_ identity: String, subscription prefix: String) -> Bool {
        let keyring = registry.current
        guard identity.hasPrefix(BusKeyring.subscriberPrefix) else { return keyring.services[identity] != nil }
        guard let subscriber = keyring.subscribers[String(identity.dropFirst(BusKeyring.subscriberPrefix.count))], !subscriber.revoked else { return false }
        return subscriber.allows(subscription: prefix)
    }

    public func authenticator(logger: Logger) -> ZAPAuthenticator {
        ZAPAuthenticator(
            policy: { identity(for: $0) },
            onRefusal: BusSecurity.refusalLog(logger))
    }
}
