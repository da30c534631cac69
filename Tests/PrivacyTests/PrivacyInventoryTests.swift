import EcoBus
import EcoRuntime
import EcoStore
import Foundation
import GatewayService
import GRDB
import IngestService
import MatcherService
import NotificationsService
import PickupValidatorService
import ReportingService
import Testing

/// `docs/privacy.md` lists every column of every store: a migration that adds a column without
/// its row in the inventory fails here, and so does a row for a column that no longer exists.
@Suite("The data inventory of docs/privacy.md")
struct PrivacyInventoryTests {
    /// Each store's own migrations, under the inventory heading that lists them.
    static let stores: [(heading: String, migrations: [Migration])] = [
        ("gateway", GatewayService.migrations),
        ("ingest", IngestService.migrations),
        ("matcher", MatcherService.migrations),
        ("reporting", ReportingService.migrations),
        ("notifications", NotificationsService.migrations),
        ("pickup-validator", PickupValidatorService.migrations),
        ("every store", BusSchema.migrations + Diagnostics.migrations + ErasedAccounts.migrations),
    ]

    @Test("every column of every store is listed under its store, and every listed column exists")
    func everyColumnListed() throws {
        let inventory = try Self.inventory()
        for (heading, migrations) in Self.stores {
            let actual = try Self.columns(after: migrations)
            let listed = inventory[heading] ?? []
            #expect(!actual.isEmpty, "\(heading) has tables")
            #expect(actual.subtracting(listed).isEmpty, "\(heading): not in docs/privacy.md: \(actual.subtracting(listed).sorted())")
            #expect(listed.subtracting(actual).isEmpty, "\(heading): listed but absent: \(listed.subtracting(actual).sorted())")
        }
    }

    @Test("every personal or pseudonymous column states its purpose, legal basis, readers and retention")
    func personalColumnsExplained() throws {
        for row in try Self.rows() where row.cells[1] != "no" {
            #expect(["yes", "pseudonymous"].contains(row.cells[1]), "\(row.column): personal is yes, pseudonymous or no")
            for (index, name) in [(2, "purpose"), (3, "legal basis"), (4, "who may read"), (5, "kept")] {
                #expect(!row.cells[index].isEmpty && row.cells[index] != "—", "\(row.column) states its \(name)")
            }
        }
    }

    /// `table.column` of every table the migrations make, but SQLite's and GRDB's own.
    static func columns(after migrations: [Migration]) throws -> Set<String> {
        let database = try DatabaseQueue()
        try DatabaseMigrator.named(migrations).migrate(database)
        return try database.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                """)
            var columns: Set<String> = []
            for table in tables {
                for column in try db.columns(in: table) { columns.insert("\(table).\(column.name)") }
            }
            return columns
        }
    }

    struct Row {
        let store: String
        let column: String
        let cells: [String]
    }

    /// The rows of the inventory tables: under each `### store` heading, lines `| \`table.column\` | … |`.
    static func rows() throws -> [Row] {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let text = try String(contentsOf: url.appendingPathComponent("docs/privacy.md"), encoding: .utf8)
        var store: String?
        var rows: [Row] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { store = nil }
            if line.hasPrefix("### ") { store = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces) }
            guard let store, line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 6 else {
                Issue.record("\(store): a row has \(cells.count) cells, not 6: \(line)")
                continue
            }
            rows.append(Row(store: store, column: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells: cells))
        }
        return rows
    }

    static func inventory() throws -> [String: Set<String>] {
        var inventory: [String: Set<String>] = [:]
        for row in try rows() {
            let (inserted, _) = inventory[row.store, default: []].insert(row.column)
            #expect(inserted, "\(row.store): \(row.column) is listed twice")
        }
        return inventory
    }
}
