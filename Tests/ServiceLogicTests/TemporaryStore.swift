import EcoBus
import EcoRuntime
import EcoStore
import Foundation
import GRDB

/// A service's store in a temporary file, with the bus tables and the given migrations.
struct TemporaryStore {
    let url: URL
    let pool: DatabasePool
    let outbox: Outbox

    init(_ migrations: [Migration], producer: String = "test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite")
        pool = try DatabaseOpener.open(at: url, fullSync: false, migrations: BusSchema.migrations + ErasedAccounts.migrations + migrations)
        outbox = Outbox(producer: producer)
    }

    func topics() throws -> [String] {
        try pool.read { try String.fetchAll($0, sql: "SELECT topic FROM bus_outbox ORDER BY sequence") }
    }

    /// The data of each event in the outbox, decoded as `Payload`, in order.
    func payloads<Payload: Codable & Sendable>(_ type: Payload.Type) throws -> [Payload] {
        try pool.read { try Data.fetchAll($0, sql: "SELECT payload FROM bus_outbox ORDER BY sequence") }
            .map { try EventCodec.decoder.decode(CloudEvent<Payload>.self, from: $0).data }
    }
}
