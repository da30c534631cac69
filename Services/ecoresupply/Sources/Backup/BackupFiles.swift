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
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func isDatabaseFile(_ name: String) -> Bool {
        name.hasSuffix(".sqlite") || name.hasSuffix(".sqlite-wal") || name.hasSuffix(".sqlite-shm")
    }

    /// A consistent copy of one store, read from the committed state (the service keeps running).
    static func vacuum(_ source: URL, into target: URL) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: source.path, configuration: configuration)
        try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target.path]) }
        let check = try DatabaseQueue(path: target.path, configuration: configuration)
        let verdict = try check.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        guard verdict == "ok" else { throw Failure(description: "the copy of \(source.lastPathComponent) fails its integrity check: \(verdict ?? "?")") }
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
        var configuration = Configuration()
        configuration.readonly = true
        var latest: [String: Int64] = [:]
        var offsets: [String: [String: Int64]] = [:]
        for instance in instances {
            let queue = try DatabaseQueue(path: directory.appendingPathComponent("\(instance.name).sqlite").path, configuration: configuration)
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
