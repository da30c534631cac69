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
            onRefusal: refusalLog(logger))
    }

    /// A service's ZAP handler: its ROUTER admits the deployment's processes, and subscriber keys
    /// not revoked (for replay of their prefixes only: `admission`), as `public.json` says now.
    public static func routerAuthenticator(_ registry: BusKeyRegistry, logger: Logger) -> ZAPAuthenticator {
        ZAPAuthenticator(
            policy: { request in
                guard request.domain == BusCurve.routerDomain, request.mechanism == "CURVE", let key = request.clientKey else { return nil }
                let keyring = registry.current
                return keyring.identity(of: key) ?? keyring.subscriberIdentity(of: key)
            },
            onRefusal: refusalLog(logger))
    }

    /// What a subscriber key may ask a ROUTER: `bus.ping`, and `bus.replay` of its own prefixes
    /// (a replay without prefixes gets them; one asking for others is refused). Processes of the
    /// deployment may ask anything but the kinds `RequestCallers` keeps to the command line or to
    /// one service.
    public static func admission(_ registry: BusKeyRegistry) -> RequestRouter.Admission {
        { request in
            guard let sender = request.sender else { return .success(request) }
            guard sender.hasPrefix(BusKeyring.subscriberPrefix) else {
                return RequestCallers.refusal(of: request.kind, from: sender).map { .failure($0) } ?? .success(request)
            }
            let name = String(sender.dropFirst(BusKeyring.subscriberPrefix.count))
            guard let subscriber = registry.current.subscribers[name], !subscriber.revoked else {
                return .failure(.forbidden("the key of subscriber \(name) was revoked"))
            }
            switch request.kind {
            case BusRequestKind.ping:
                return .success(request)
            case BusRequestKind.replay:
                guard let first = request.body.first, var replay = try? EventCodec.decoder.decode(ReplayRequest.self, from: first) else {
                    return .success(request)  // the replay handler says what is wrong with it
                }
                let asked = replay.prefixes ?? subscriber.prefixes
                guard asked.allSatisfy({ prefix in subscriber.prefixes.contains { prefix.hasPrefix($0) } }) else {
                    return .failure(.forbidden("subscriber \(name) may replay only \(subscriber.prefixes.joined(separator: ", "))"))
                }
                replay.prefixes = asked
                var narrowed = request
                guard let body = try? EventCodec.encoder.encode(replay) else { return .failure(RemoteError(code: "internal", message: "replay request not re-encoded")) }
                narrowed.body = [body] + request.body.dropFirst()
                return .success(narrowed)
            default:
                return .failure(.forbidden("a subscriber key may only replay its prefixes (\(BusRequestKind.replay)) and ping"))
            }
        }
    }

    /// Logs a refused connection with its domain, address and key: the line operators look for.
    public static func refusalLog(_ logger: Logger) -> @Sendable (ZAPAuthenticator.Request) -> Void {
        { request in
            logger.warning("bus connection refused: key not in the deployment", metadata: [
                "bus.domain": "\(request.domain)", "net.peer": "\(request.address)", "bus.key": "\(request.clientKey ?? "none")",
            ])
        }
    }
}
