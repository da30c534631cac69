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
}
