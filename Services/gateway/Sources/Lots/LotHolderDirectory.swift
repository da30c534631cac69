import EcoBus
import EcoConfig
import EcoModel
import GRDB
import Synchronization

/// Where the gateway sends a food lot's commands (docs/decisions/0017): the lot's holder among the
/// members of the latest `matching.tick` the gateway applied, or among the configured workers until
/// one does (`LotHolders.holder(of:members:configured:)`). A worker that no longer holds the lot names its holder, and `ServiceCaller.call(lot:)`
/// asks there once; so a gateway that has not heard the latest tick costs one more hop, not an error.
public final class LotHolderDirectory: Sendable {
    private let members: Mutex<[Int]?>
    let configured: Int

    public init(configured: Int) {
        members = Mutex(nil)
        self.configured = configured
    }

    /// The worker that holds `lotId` as far as the gateway knows.
    public func holder(of lotId: String) -> ServiceInstance {
        let members = members.withLock { $0 }
        return ServiceInstance(.matcher, index: LotHolders.holder(of: lotId, members: members, configured: configured))
    }

    /// The workers that hold lots now, in order.
    public var workers: [Int] { members.withLock { $0 } ?? LotHolders.configuredMembers(configured) }

    func heard(_ tick: MatchingTick) {
        let holders = tick.holders
        guard !holders.isEmpty else { return }
        members.withLock { $0 = holders }
    }
}

/// Keeps `LotHolderDirectory` at the members of ingest's latest tick.
public struct LotHolderProjection: EventHandler {
    let directory: LotHolderDirectory
    static let ingest = ServiceInstance(.ingest).name

    public init(directory: LotHolderDirectory) { self.directory = directory }

    public var topicPrefixes: [String] { [MatchingTick.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        guard event.source == Self.ingest else { return }
        directory.heard(try event.decodeData(MatchingTick.self))
    }
}
