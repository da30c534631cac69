import Foundation
import Synchronization

/// A keyring that follows `public.json`: read again when the file changes, so that a subscriber
/// added or revoked with `ecoresupply keys` counts from its next connection, without a restart.
public final class BusKeyRegistry: Sendable {
    let directory: URL
    let name: String
    private let state: Mutex<(keyring: BusKeyring, modified: Date?)>

    public init(directory: URL, name: String) throws(BusKeyError) {
        self.directory = directory
        self.name = name
        state = Mutex((try BusKeyDirectory.load(from: directory, name: name), Self.modified(directory)))
    }

    /// The keyring as `public.json` says now; the last good one if the file cannot be read.
    public var current: BusKeyring {
        let modified = Self.modified(directory)
        return state.withLock { state in
            if modified != state.modified, let fresh = try? BusKeyDirectory.load(from: directory, name: name) {
                state = (fresh, modified)
            }
            return state.keyring
        }
    }

    private static func modified(_ directory: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(BusKeyDirectory.publicFile).path))?[.modificationDate] as? Date
    }
}
