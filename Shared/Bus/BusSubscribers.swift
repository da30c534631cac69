import Foundation
import ZeroMQ

/// A subscriber's key (a municipal system, an ops tool): it may subscribe on the forwarder to its
/// prefixes and to heartbeats, and never publish. Revoked keys are refused from their next connection.
public struct BusSubscriber: Codable, Sendable, Equatable {
    public var publicKey: String
    public var prefixes: [String]
    public var revoked: Bool
    public var createdAt: Date

    public init(publicKey: String, prefixes: [String], revoked: Bool = false, createdAt: Date = Date()) {
        self.publicKey = publicKey
        self.prefixes = prefixes
        self.revoked = revoked
        self.createdAt = createdAt
    }

    /// Whether a subscription to `topicPrefix` stays within what this key may read: one of its
    /// prefixes or narrower, or the heartbeats (which say each producer's latest sequence).
    public func allows(subscription topicPrefix: String) -> Bool {
        topicPrefix == Topic.heartbeat || prefixes.contains { !$0.isEmpty && topicPrefix.hasPrefix($0) }
    }
}

extension BusKeyDirectory {
    /// Where subscriber key pairs are written, to be handed to their holders.
    public static let subscribersFolder = "subscribers"

    /// Makes a subscriber key limited to `prefixes`; returns the file holding its pair (mode 0600).
    public static func addSubscriber(_ name: String, prefixes: [String], in directory: URL) throws -> URL {
        guard name.range(of: "^[a-z0-9][a-z0-9_-]{0,62}$", options: .regularExpression) != nil else {
            throw BusKeyError(path: directory.path, reason: "a subscriber's name is 1 to 63 characters a-z, 0-9, _ and -")
        }
        guard !prefixes.isEmpty, prefixes.allSatisfy({ !$0.isEmpty && $0.utf8.count <= Topic.maximumLength }) else {
            throw BusKeyError(path: directory.path, reason: "give at least one topic prefix, such as report.")
        }
        var list = try readPublic(directory)
        var subscribers = list.subscribers ?? [:]
        guard subscribers[name] == nil else { throw BusKeyError(path: directory.path, reason: "a subscriber \(name) exists; revoke it and choose another name") }
        let pair = try ZMQCurveKeyPair.generate()
        let folder = directory.appendingPathComponent(subscribersFolder, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = folder.appendingPathComponent("\(name).key")
        let data = try JSONEncoder().encode(PairFile(publicKey: pair.publicKey, secretKey: pair.secretKey))
        guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw BusKeyError(path: file.path, reason: "cannot write the key file")
        }
        subscribers[name] = BusSubscriber(publicKey: pair.publicKey, prefixes: prefixes)
        list.subscribers = subscribers
        try writePublic(list, to: directory)
        return file
    }

    /// Marks a subscriber's key revoked: the forwarder refuses it from its next connection.
    public static func revokeSubscriber(_ name: String, in directory: URL) throws {
        var list = try readPublic(directory)
        guard var subscriber = list.subscribers?[name] else { throw BusKeyError(path: directory.path, reason: "no subscriber \(name)") }
        subscriber.revoked = true
        list.subscribers?[name] = subscriber
        try writePublic(list, to: directory)
    }

    /// The deployment's subscribers, by name.
    public static func subscribers(in directory: URL) throws -> [String: BusSubscriber] {
        try readPublic(directory).subscribers ?? [:]
    }

    static func writePublic(_ list: PublicFile, to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(list).write(to: directory.appendingPathComponent(publicFile), options: .atomic)
    }
}
