import Foundation
import ZeroMQ

/// Why a bus key directory could not be used.
public struct BusKeyError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "bus keys at \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// One process's view of the deployment's CURVE keys (docs/decisions/0012): its own key pair, and
/// the public key of every process of the deployment by instance name (`forwarder`, `gateway`,
/// `matcher-0`, … and `cli` for the command line).
public struct BusKeyring: Sendable, Equatable {
    public let name: String
    public let own: ZMQCurveKeyPair
    /// Public keys of the deployment's processes, by instance name.
    public let services: [String: String]
    /// Subscriber keys (municipal systems, ops tools), by name; they subscribe, never publish.
    public let subscribers: [String: BusSubscriber]

    public init(name: String, own: ZMQCurveKeyPair, services: [String: String], subscribers: [String: BusSubscriber] = [:]) {
        self.name = name
        self.own = own
        self.services = services
        self.subscribers = subscribers
    }

    /// The prefix of a subscriber's identity: `subscriber:<name>`.
    public static let subscriberPrefix = "subscriber:"

    /// The subscriber a public key belongs to, unless it was revoked, as `subscriber:<name>`.
    public func subscriberIdentity(of key: String) -> String? {
        subscribers.first { $0.value.publicKey == key && !$0.value.revoked }.map { Self.subscriberPrefix + $0.key }
    }

    /// The topic prefixes the subscriber with this identity may subscribe to; nil for a process of the deployment.
    public func prefixes(ofIdentity identity: String) -> [String]? {
        guard identity.hasPrefix(Self.subscriberPrefix) else { return nil }
        return subscribers[String(identity.dropFirst(Self.subscriberPrefix.count))]?.prefixes ?? []
    }

    /// The instance a public key belongs to, or nil for a key the deployment does not know.
    public func identity(of key: String) -> String? {
        services.first { $0.value == key }?.key
    }
}

/// A directory of bus keys: `<name>.key` per process (its key pair, mode 0600, for that process
/// alone to read) and `public.json` (every process's public key). One machine keeps them all; on
/// several, each gets its own `.key` and the same `public.json`.
public enum BusKeyDirectory {
    public static let publicFile = "public.json"
    /// The name of the command line's key (`ecoresupply tail`, `bus ping`, `keys rotate`).
    public static let cliName = "cli"
    /// The name of the forwarder's key.
    public static let forwarderName = "forwarder"

    /// Every key a deployment of these instances needs: the forwarder's, each instance's, the command line's.
    public static func names(instances: [String]) -> [String] { [forwarderName] + instances + [cliName] }

    struct PairFile: Codable {
        var publicKey: String
        var secretKey: String
    }

    struct PublicFile: Codable {
        var services: [String: String]
        var subscribers: [String: BusSubscriber]?
    }

    /// Makes the key pairs of `names` that are missing and writes `public.json`; existing keys stay.
    @discardableResult
    public static func generate(in directory: URL, names: [String]) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var made: [String] = []
        let existing = try? readPublic(directory)
        var services = existing?.services ?? [:]
        for name in names {
            let file = directory.appendingPathComponent("\(name).key")
            if let existing = try? JSONDecoder().decode(PairFile.self, from: Data(contentsOf: file)) {
                services[name] = existing.publicKey
                continue
            }
            let pair = try ZMQCurveKeyPair.generate()
            let data = try JSONEncoder().encode(PairFile(publicKey: pair.publicKey, secretKey: pair.secretKey))
            guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw BusKeyError(path: file.path, reason: "cannot write the key file")
            }
            services[name] = pair.publicKey
            made.append(name)
        }
        try writePublic(PublicFile(services: services, subscribers: existing?.subscribers), to: directory)
        return made
    }

    /// This process's keyring: its own pair from `<name>.key`, the others' public keys from `public.json`.
    public static func load(from directory: URL, name: String) throws(BusKeyError) -> BusKeyring {
        let file = directory.appendingPathComponent("\(name).key")
        let pair: PairFile
        do {
            pair = try JSONDecoder().decode(PairFile.self, from: Data(contentsOf: file))
        } catch {
            throw BusKeyError(path: file.path, reason: "no readable key pair for \(name) (make the keys with `ecoresupply keys init`)")
        }
        guard ZMQCurveKeyPair.isKey(pair.publicKey), ZMQCurveKeyPair.isKey(pair.secretKey) else {
            throw BusKeyError(path: file.path, reason: "publicKey and secretKey must be 40-character Z85 CURVE keys")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw BusKeyError(path: file.path, reason: "the key file may be read by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        let services: [String: String]
        let subscribers: [String: BusSubscriber]
        do {
            let list = try readPublic(directory)
            services = list.services
            subscribers = list.subscribers ?? [:]
        } catch {
            throw BusKeyError(path: directory.appendingPathComponent(publicFile).path, reason: "no readable public key list")
        }
        if services.values.contains(where: { !ZMQCurveKeyPair.isKey($0) }) {
            throw BusKeyError(path: directory.appendingPathComponent(publicFile).path, reason: "every key must be a 40-character Z85 CURVE key")
        }
        return BusKeyring(name: name, own: ZMQCurveKeyPair(publicKey: pair.publicKey, secretKey: pair.secretKey), services: services, subscribers: subscribers)
    }

    static func readPublic(_ directory: URL) throws -> PublicFile {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(PublicFile.self, from: Data(contentsOf: directory.appendingPathComponent(publicFile)))
    }
}
