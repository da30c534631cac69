import EcoModel
import Foundation
import Synchronization

/// Listings and demands as decoded from the JSON their rows hold, kept by the worker between
/// transactions so that a round does not decode again the offers it applied moments before
/// (`SQLiteLedgerStore.listing(_:)` and `demand(_:)`).
///
/// An entry answers only for the very bytes the row holds now: the caller reads the row's body and
/// a hit needs it equal, so a rolled-back insert or a rewritten body (an update, a redaction) is
/// never answered from here. The memory is bounded: two generations of at most `capacity` entries
/// of each kind; when the newer fills, the older is dropped, so the recent offers stay.
public final class DecodedOffers: Sendable {
    /// Entries per generation and kind: two generations of 20,000 listings and 20,000 demands, of
    /// about 1 KiB of JSON each, are some 80 MiB of bodies and as much again decoded.
    public static let defaultCapacity = 20_000

    private let listings: Mutex<Generations<Listing>>
    private let demands: Mutex<Generations<Demand>>

    /// Keeps at most `capacity` entries of each kind per generation (two generations).
    public init(capacity: Int = DecodedOffers.defaultCapacity) {
        listings = Mutex(Generations(capacity: capacity))
        demands = Mutex(Generations(capacity: capacity))
    }

    /// The listing `body` decodes to: kept if the same id was kept with the same bytes, decoded otherwise.
    func listing(id: String, body: Data, decode: (Data) throws -> Listing) rethrows -> Listing {
        if let kept = listings.withLock({ $0.value(id: id, body: body) }) { return kept }
        let listing = try decode(body)
        keep(listing, id: id, body: body)
        return listing
    }

    /// The demand `body` decodes to, as `listing(id:body:decode:)`.
    func demand(id: String, body: Data, decode: (Data) throws -> Demand) rethrows -> Demand {
        if let kept = demands.withLock({ $0.value(id: id, body: body) }) { return kept }
        let demand = try decode(body)
        keep(demand, id: id, body: body)
        return demand
    }

    /// Keeps a listing already decoded, with the JSON written for its row.
    func keep(_ listing: Listing, id: String, body: Data) { listings.withLock { $0.keep(listing, id: id, body: body) } }

    /// Keeps a demand already decoded, with the JSON written for its row.
    func keep(_ demand: Demand, id: String, body: Data) { demands.withLock { $0.keep(demand, id: id, body: body) } }

    /// How many entries of each kind are kept now (both generations).
    var counts: (listings: Int, demands: Int) { (listings.withLock { $0.count }, demands.withLock { $0.count }) }
}

/// Two bounded maps from an offer's id to its body and decoded value.
private struct Generations<Value> {
    let capacity: Int
    var newer: [String: (body: Data, value: Value)] = [:]
    var older: [String: (body: Data, value: Value)] = [:]

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { newer.count + older.count }

    func value(id: String, body: Data) -> Value? {
        if let entry = newer[id] { return entry.body == body ? entry.value : nil }
        if let entry = older[id], entry.body == body { return entry.value }
        return nil
    }

    mutating func keep(_ value: Value, id: String, body: Data) {
        if newer[id] == nil, newer.count >= capacity {
            older = newer
            newer = [:]
            newer.reserveCapacity(capacity)
        }
        newer[id] = (body, value)
    }
}
