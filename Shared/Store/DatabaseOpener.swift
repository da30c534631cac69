import Foundation
import GRDB

/// Opens one service's SQLite file as a GRDB `DatabasePool` (WAL) and runs its migrations.
/// Each process opens its own file once, at start.
public enum DatabaseOpener {
    /// The size the write-ahead log is cut back to after it has been checkpointed and starts over.
    public static let walSizeLimitBytes = 64 << 20

    /// - Parameters:
    ///   - url: the SQLite file; its directory is created if missing.
    ///   - fullSync: `synchronous=FULL` (fsync each commit) instead of `NORMAL`.
    ///   - migrations: the named migrations to apply, in order.
    public static func open(at url: URL, fullSync: Bool, migrations: [Migration]) throws(StoreError) -> DatabasePool {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: directory.path, reason: "\(error)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            // Deleted and overwritten content is zeroed, so that an erased person's data does not
            // linger in free pages of the file (docs/decisions/0010).
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // The writer applies every event: a 32 MiB page cache keeps a busy store's indexes in
            // memory instead of the default 2 MiB, and reads of the file go through a memory map
            // instead of a system call per page (docs/benchmarks.md, matcher).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -32768") }
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            // A large transaction (a matcher's catch-up round wrote 601 MB) grows the write-ahead log,
            // and SQLite keeps the file at that size for ever unless told otherwise: once the log has
            // been checkpointed and starts over, it is cut back to 64 MiB.
            try db.execute(sql: "PRAGMA journal_size_limit = \(walSizeLimitBytes)")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: url.path, reason: "\(error)")
        }
        do {
            try DatabaseMigrator.named(migrations).migrate(pool)
        } catch {
            throw .migrationFailed(path: url.path, reason: "\(error)")
        }
        return pool
    }
}
