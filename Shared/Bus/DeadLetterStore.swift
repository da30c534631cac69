import Foundation
import GRDB

/// Keeps messages that could not be used, with the reason, so that nothing is silently lost and an
/// operator can inspect them. At most `retained` are kept; older ones are pruned.
public enum DeadLetterStore {
    public static let retained = 100_000
    /// Bytes kept of one dead-lettered message; the rest is cut (the frame count stays exact).
    public static let maximumStoredBytes = 1 << 20

    public static func record(_ frames: [Data], reason: DeadLetterReason, producer: String? = nil, sequence: Int64? = nil, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO bus_dead_letters (received_at, reason_code, reason, producer, sequence, frame_count, frames)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [EventTime.format(Date()), reason.code, reason.description, producer, sequence, frames.count, encode(frames)])
    }

    /// Drops the oldest dead letters beyond `retained`.
    public static func prune(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM bus_dead_letters WHERE id <= (SELECT MAX(id) FROM bus_dead_letters) - ?", arguments: [retained])
    }

    public static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_dead_letters") ?? 0
    }

    /// Every stored message's frames, oldest first.
    public static func allFrames(_ db: Database) throws -> [[Data]] {
        try Data.fetchAll(db, sql: "SELECT frames FROM bus_dead_letters ORDER BY id").map(decode)
    }

    /// Frames as `[length (4 bytes, big-endian), bytes]…`, cut at `maximumStoredBytes`.
    static func encode(_ frames: [Data]) -> Data {
        var out = Data()
        for frame in frames {
            let room = maximumStoredBytes - out.count - 4
            guard room > 0 else { break }
            let kept = frame.prefix(room)
            withUnsafeBytes(of: UInt32(kept.count).bigEndian) { out.append(contentsOf: $0) }
            out.append(kept)
        }
        return out
    }

    static func decode(_ data: Data) -> [Data] {
        var frames: [Data] = []
        var index = data.startIndex
        while index + 4 <= data.endIndex {
            let length = data[index..<index + 4].reduce(0) { ($0 << 8) | Int($1) }
            index += 4
            let end = min(index + length, data.endIndex)
            frames.append(Data(data[index..<end]))
            index = end
        }
        return frames
    }
}
