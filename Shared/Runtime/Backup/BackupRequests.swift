import Foundation

/// The bus requests of a consistent online backup (`ecoresupply backup`, docs/operations.md): every
/// service holds its writer, the files are copied, every service lets go.
public enum BackupRequests {
    /// Body `Hold`; reply `Held` once the service's writer is held (every write waits).
    public static let hold = "backup.hold"
    /// Body `Release`; reply `Released`.
    public static let release = "backup.release"

    /// The longest a service lets a backup hold its writer: past it, writes resume on their own.
    public static let maximumHoldSeconds = 30.0

    /// Asks a service to hold its writer for backup `backupId`, for `seconds` at most.
    public struct Hold: Codable, Sendable {
        public var backupId: String
        /// How long to hold at most (capped at `maximumHoldSeconds`).
        public var seconds: Double
        public init(backupId: String, seconds: Double) {
            self.backupId = backupId
            self.seconds = seconds
        }
    }

    /// The answer once the writer is held.
    public struct Held: Codable, Sendable {
        public var instance: String
        /// The service's latest outbox sequence while held: what the copy holds.
        public var latest: Int64
        public init(instance: String, latest: Int64) {
            self.instance = instance
            self.latest = latest
        }
    }

    /// Lets backup `backupId`'s hold go.
    public struct Release: Codable, Sendable {
        public var backupId: String
        public init(backupId: String) { self.backupId = backupId }
    }

    /// The answer to a release.
    public struct Released: Codable, Sendable {
        /// False when the hold had already ended (its time ran out).
        public var wasHeld: Bool
        public init(wasHeld: Bool) { self.wasHeld = wasHeld }
    }
}
