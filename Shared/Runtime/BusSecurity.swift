import EcoBus
import EcoConfig
import Foundation
import Logging
import ZeroMQ

/// A service's side of the bus's CURVE keys (docs/decisions/0012): its sockets' settings from
/// the key directory, and the ZAP handler that lets only the deployment's keys reach its ROUTER.
public enum BusSecurity {
    /// The CURVE settings of `config`'s instance, or nil when the deployment has no keys.
    public static func curve(for config: ServiceConfig, name: String? = nil) throws(BusKeyError) -> (curve: BusCurve, keyring: BusKeyring)? {
        guard let directory = config.busKeys else { return nil }
        let keyring = try BusKeyDirectory.load(from: directory, name: name ?? config.instance.name)
        guard let forwarder = keyring.services[BusKeyDirectory.forwarderName] else {
            throw BusKeyError(path: directory.path, reason: "public.json has no key for the forwarder")
        }
        var serverKeys: [String: String] = [:]
        for instance in BusTopology.instances(matchers: config.matcherCount) {
            if let key = keyring.services[instance.name] { serverKeys[config.topology.routerEndpoint(of: instance)] = key }
        }
        return (BusCurve(keys: keyring.own, forwarderKey: forwarder, serverKeys: serverKeys), keyring)
    }

    /// Admits, on each domain, the keys its keyring knows, under their instance names; refuses
    /// every other key, and every other domain, with a warning that names the address.
    public static func authenticator(admitting domains: [String: BusKeyring], logger: Logger) -> ZAPAuthenticator {
        ZAPAuthenticator(
            policy: { request in
                guard let keyring = domains[request.domain], request.mechanism == "CURVE", let key = request.clientKey else { return nil }
                return keyring.identity(of: key)
            },
            onRefusal: { request in
                logger.warning("bus connection refused: key not in the deployment", metadata: [
                    "bus.domain": "\(request.domain)", "net.peer": "\(request.address)", "bus.key": "\(request.clientKey ?? "none")",
                ])
            })
    }
}
