import EcoBus
import EcoModel

/// Builds the ledger of some market parts from ingest's stream, for a worker that takes them over
/// (docs/decisions/0016). It is called inside the consumer's write transaction and blocks it.
public protocol PartRebuilding: Sendable {
    /// The ledger of `parts` as ingest's materials events through sequence `through` build it.
    func rebuild(parts: Set<String>, through: Int64) throws -> InMemoryLedgerStore
}

/// Why parts could not be rebuilt now: the batch is replayed later rather than dead-lettered.
public struct PartRebuildError: RetryableHandlerError, CustomStringConvertible {
    public let description: String
}

/// Rebuilds parts from a list of ingest's events held in memory: for unit tests of the handover.
public struct EventListRebuilder: PartRebuilding {
    let events: [ReceivedEvent]

    public init(events: [ReceivedEvent]) { self.events = events }

    public func rebuild(parts: Set<String>, through: Int64) throws -> InMemoryLedgerStore {
        let store = InMemoryLedgerStore()
        for event in events where (event.sequence ?? 0) <= through && (event.partitionKey.map(parts.contains) ?? true) {
            if let input = try MaterialsInput.decode(event) { _ = try MaterialLedger.apply(input, to: store) }
        }
        return store
    }
}
