import Crypto
import EcoBus
import EcoModel
import Foundation
import GRDB

/// Photos of lots, listings and reports, stored once by content hash in ingest's own folder (`<data-dir>/ingest-photos/`).
/// Only JPEG, PNG and WebP are taken, recognised by their first bytes, up to 5 MiB each.
public struct PhotoStore: Sendable {
    public static let maximumBytes = 5 << 20
    public static let maximumPerLot = 5
    public static let types = ["image/jpeg", "image/png", "image/webp"]

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The type the bytes really are, if it is one we take and it matches the declared one.
    public static func check(_ data: Data, declared: String) throws(RemoteError) -> String {
        guard types.contains(declared) else {
            throw RemoteError(code: "unsupported_media_type", message: "photos are image/jpeg, image/png or image/webp")
        }
        guard !data.isEmpty, data.count <= maximumBytes else {
            throw RemoteError.invalid("photo", "a photo has 1 byte to 5 MiB")
        }
        let bytes = [UInt8](data.prefix(12))
        let actual: String?
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            actual = "image/jpeg"
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            actual = "image/png"
        } else if bytes.count == 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8) {
            actual = "image/webp"
        } else {
            actual = nil
        }
        guard actual == declared else {
            throw RemoteError.invalid("photo", "the bytes are not a \(declared) image")
        }
        return declared
    }

    public static func hash(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes the photo if it is not there yet (write to a temporary file, then rename).
    public func save(_ data: Data, hash: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent(hash)
        guard !FileManager.default.fileExists(atPath: target.path) else { return }
        let temporary = directory.appendingPathComponent(".\(hash).\(UUID().uuidString)")
        try data.write(to: temporary)
        if rename(temporary.path, target.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// A photo `accept` checked and saved, for the caller to record in its transaction.
    public struct Saved: Sendable, Equatable {
        public let hash: String
        public let contentType: String
        public let bytes: Int
    }

    /// Checks the bytes against the declared type and saves them by content hash.
    public func accept(_ data: Data, declared: String) throws -> Saved {
        let type = try Self.check(data, declared: declared)
        let hash = Self.hash(data)
        try save(data, hash: hash)
        return Saved(hash: hash, contentType: type, bytes: data.count)
    }

    /// Records a saved photo's type, so that `GET /v1/photos/{hash}` can serve it (idempotent).
    public static func record(_ photo: Saved, at date: Date, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO photos (hash, content_type, bytes, created_at) VALUES (?, ?, ?, ?)",
            arguments: [photo.hash, photo.contentType, photo.bytes, EventTime.format(date)])
    }

    /// Forgets the photos among `hashes` that no stored lot, listing or report shows any more: their
    /// rows now, their files once the transaction commits (a rollback keeps them). Returns the rows removed.
    func forgetUnreferenced(_ hashes: Set<String>, in db: Database) throws -> Int {
        var unreferenced: [URL] = []
        for hash in hashes.sorted() where try !Self.isReferenced(hash, in: db) {
            try db.execute(sql: "DELETE FROM photos WHERE hash = ?", arguments: [hash])
            unreferenced.append(directory.appendingPathComponent(hash))
        }
        let files = unreferenced
        db.afterNextTransaction(onCommit: { _ in for file in files { try? FileManager.default.removeItem(at: file) } })
        return files.count
    }

    /// Whether any stored lot, listing or report still shows the photo.
    static func isReferenced(_ hash: String, in db: Database) throws -> Bool {
        for table in ["reports", "lots", "listings"] {
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE instr(body, CAST(? AS BLOB)) > 0 LIMIT 1", arguments: [hash]) == true {
                return true
            }
        }
        return false
    }

    public func load(hash: String) -> Data? {
        guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else { return nil }
        return FileManager.default.contents(atPath: directory.appendingPathComponent(hash).path)
    }
}
