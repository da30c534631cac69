import EcoBus
import EcoConfig
import Foundation
import GRDB

/// What a backup folder holds: one SQLite file per instance, made with `VACUUM INTO`, the data
/// directory's other folders (photos, bus keys) as they were, and `backup.json`.
struct BackupManifest: Codable {
    static let fileName = "backup.json"

    var backupId: String
    var takenAt: Date
    var matchers: Int
    /// Each instance's latest outbox sequence in its copy.
    var latest: [String: Int64]
}

/// The file side of backups and restores.
enum BackupFiles {
    /// Why a backup or a restore stopped, in words for the operator.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The instances whose stores are in `directory`: the five services, and every `matcher-N.sqlite`
    /// found there (a backup must not leave a worker out, whatever `--matchers` says).
    static func instances(in directory: URL) throws -> [ServiceInstance] {
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        let workers = names.compactMap { name -> Int? in
            guard name.hasPrefix("matcher-"), name.hasSuffix(".sqlite") else { return nil }
            return Int(name.dropFirst("matcher-".count).dropLast(".sqlite".count))
        }
        let count = (workers.max() ?? -1) + 1
        let instances = BusTopology.instances(matchers: max(count, 1))
        for instance in instances where !names.contains("\(instance.name).sqlite") {
            throw Failure(description: "\(directory.path) has no \(instance.name).sqlite: is this a deployment's data directory?")
        }
        return instances
    }

    /// Whether `name` is one of SQLite's files (a store, its WAL or shared memory).
    static func isDatabaseFile(_ name: String) -> Bool {
        name.hasSuffix(".sqlite") || name.hasSuffix(".sqlite-wal") || name.hasSuffix(".sqlite-shm")
    }

    /// A consistent copy of one store, read from the committed state (the service keeps running),
    /// readable by its owner only (it holds personal data).
    static func vacuum(_ source: URL, into target: URL) throws {
        let queue = try DatabaseQueue(path: source.path, configuration: readOnly)
        try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target.path]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target.path)
    }

    /// A copy's latest outbox sequence, once it passed SQLite's integrity check.
    static func verify(_ copy: URL) throws -> Int64 {
        let queue = try DatabaseQueue(path: copy.path, configuration: readOnly)
        return try queue.read { db in
            let verdict = try String.fetchOne(db, sql: "PRAGMA integrity_check")
            guard verdict == "ok" else { throw Failure(description: "the copy \(copy.lastPathComponent) fails its integrity check: \(verdict ?? "?")") }
            return try Outbox.latestSequence(db)
        }
    }

    private static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return configuration
    }

    /// Copies every entry of `source` that is not a SQLite file into `target`, keeping permissions.
    static func copyOthers(from source: URL, to target: URL) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: source.path) where !isDatabaseFile(name) && name != BackupManifest.fileName {
            let destination = target.appendingPathComponent(name)
            if manager.fileExists(atPath: destination.path) { try manager.removeItem(at: destination) }
            try manager.copyItem(at: source.appendingPathComponent(name), to: destination)
            try keepPermissions(from: source.appendingPathComponent(name), to: destination)
        }
    }

    /// Key files are 0600: a copy must not widen them.
    private static func keepPermissions(from source: URL, to target: URL) throws {
        let manager = FileManager.default
        if let mode = try manager.attributesOfItem(atPath: source.path)[.posixPermissions] {
            try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: target.path)
        }
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: source.path, isDirectory: &isFolder), isFolder.boolValue else { return }
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            try keepPermissions(from: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
    }

    /// Consumers ahead of their producers among the stores in `directory` ("consumer ← producer: offset > latest").
    /// A backup of stores copied at different moments would show this; one taken under holds never does.
    static func consumersAhead(in directory: URL, instances: [ServiceInstance]) throws -> [String] {
        var latest: [String: Int64] = [:]
        var offsets: [String: [String: Int64]] = [:]
        for instance in instances {
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("\(instance.name).sqlite").path, configuration: readOnly)
            try queue.read { db in
                latest[instance.name] = try Outbox.latestSequence(db)
                offsets[instance.name] = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT producer, sequence FROM bus_offsets").map {
                    (($0["producer"] as String), ($0["sequence"] as Int64))
                })
            }
        }
        return offsets.flatMap { consumer, seen in
            seen.compactMap { producer, offset in
                guard let producerLatest = latest[producer], offset > producerLatest else { return nil }
                return "\(consumer) ← \(producer): \(offset) > \(producerLatest)"
            }
        }.sorted()
    }
}
