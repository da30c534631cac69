import EcoStore
import Foundation
import GRDB
import Testing

@Suite("A store's write-ahead log")
struct WriteAheadLogLimitTests {
    @Test("after a transaction larger than the limit, the log is cut back to the limit once it starts over")
    func cutBack() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wal-\(UUID().uuidString).sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) } }
        let pool = try DatabaseOpener.open(at: url, fullSync: false, migrations: [
            Migration("test.v1") { db in try db.execute(sql: "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") },
        ])
        func walSize() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: url.path + "-wal")[.size] as? Int) ?? 0
        }
        // 96 MiB in one transaction: the log must hold all of it until the commit.
        try pool.write { db in
            for id in 0..<(96 * 1024) { try db.execute(sql: "INSERT INTO blobs (id, body) VALUES (?, zeroblob(1024))", arguments: [id]) }
        }
        let afterBigWrite = try walSize()
        #expect(afterBigWrite > DatabaseOpener.walSizeLimitBytes, "the transaction grew the log past the limit: \(afterBigWrite) bytes")
        // Checkpointed while no one reads, the log starts over with the next write, and is cut back then.
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        try pool.write { db in try db.execute(sql: "INSERT INTO blobs (id, body) VALUES (?, x'00')", arguments: [-1]) }
        let afterRestart = try walSize()
        #expect(afterRestart <= DatabaseOpener.walSizeLimitBytes, "the log is \(afterRestart) bytes, above the \(DatabaseOpener.walSizeLimitBytes)-byte limit")
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blobs") } == 96 * 1024 + 1)
    }
}
