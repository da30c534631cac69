import EcoBus
import EcoConfig
import EcoModel
import EcoStore
import Foundation
import GRDB
import IngestService
import Testing

@Suite("The market grid: cells a territory sets once, recorded by ingest")
struct MarketGridTests {
    static func store() throws -> DatabasePool {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("grid-\(UUID().uuidString).sqlite")
        return try DatabaseOpener.open(at: file, fullSync: false, migrations: BusSchema.migrations + IngestService.migrations)
    }

    @Test("a point's part is its cell; larger cells gather what smaller ones split")
    func cells() throws {
        let grid = try #require(MarketGrid(cellDegrees: 1))
        let belowEdge = GeoPoint(latitude: 43.48, longitude: 5.40), aboveEdge = GeoPoint(latitude: 43.52, longitude: 5.40)
        #expect(MarketGrid.standard.part(of: belowEdge) == "86:10" && MarketGrid.standard.part(of: aboveEdge) == "87:10")
        #expect(grid.part(of: belowEdge) == "43:5" && grid.part(of: aboveEdge) == "43:5")
        #expect(grid.part(of: GeoPoint(latitude: -0.2, longitude: -0.2)) == "-1:-1", "south and west of zero round down")
        #expect(MarketParts.part(of: belowEdge) == MarketGrid.standard.part(of: belowEdge))
        for bad in [0, 0.01, 11, -1, .nan, .infinity] { #expect(MarketGrid(cellDegrees: bad) == nil, "\(bad)") }
    }

    @Test("the flag, then the environment, then 0.5; a bad value names where it came from")
    func options() throws {
        #expect(try MatchingOptions.parse([]).resolve(environment: [:]).grid == .standard)
        #expect(try MatchingOptions.parse(["--market-cell-degrees", "1"]).resolve(environment: [:]).grid.cellDegrees == 1)
        let fromEnvironment = try MatchingOptions.parse([]).resolve(environment: ["ECORESUPPLY_MARKET_CELL_DEGREES": "0.75"])
        #expect(fromEnvironment.grid.cellDegrees == 0.75)
        #expect(throws: ConfigError.self) { try MatchingOptions.parse(["--market-cell-degrees", "20"]).resolve(environment: [:]) }
        do {
            _ = try MatchingOptions.parse([]).resolve(environment: ["ECORESUPPLY_MARKET_CELL_DEGREES": "wide"])
            Issue.record("a cell size that is not a number was taken")
        } catch let error as ConfigError {
            #expect(error.setting == "ECORESUPPLY_MARKET_CELL_DEGREES" && error.value == "wide", "\(error)")
        }
    }

    @Test("the first start records the grid; a later start with another is refused and says which to use")
    func recorded() async throws {
        let pool = try Self.store()
        let wide = try #require(MarketGrid(cellDegrees: 1))
        #expect(try await InstalledMarketGrid.confirm(wide, in: pool) == wide)
        #expect(try await InstalledMarketGrid.confirm(wide, in: pool) == wide)
        do {
            try await InstalledMarketGrid.confirm(.standard, in: pool)
            Issue.record("another grid was accepted")
        } catch let error as ConfigError {
            #expect(error.setting == "market-cell-degrees" && error.reason.contains("--market-cell-degrees 1.0"), "\(error)")
        }
    }

    @Test("a stream cut before the grid was recorded was cut with 0.5°: that is what is recorded")
    func streamFromBefore() async throws {
        let pool = try Self.store()
        try await pool.write { db in
            _ = try Outbox(producer: "ingest").append(MatchingTick.topic, MatchingTick(at: Date(), matchers: 1, proposalTimeoutSeconds: 60, shareAfterSeconds: 60),
                                                      partitionKey: "86:10", in: db)
        }
        await #expect(throws: ConfigError.self) { try await InstalledMarketGrid.confirm(MarketGrid(cellDegrees: 1)!, in: pool) }
        #expect(try await InstalledMarketGrid.confirm(.standard, in: pool) == .standard)
    }

    @Test("ingest stamps each listing's and demand's event with its part in the installation's grid")
    func stamped() async throws {
        let pool = try Self.store()
        let grid = try #require(MarketGrid(cellDegrees: 1))
        let listings = ListingStore(database: pool, outbox: Outbox(producer: "ingest"), area: .anywhere, grid: grid)
        let formatter = ISO8601DateFormatter()
        let json: [String: Any] = [
            "kind": "material", "lerCode": "17 02 01", "title": "Poutres", "quantity": 3, "unit": "t", "condition": "used",
            "location": ["latitude": 43.52, "longitude": 5.4, "address": "Aix"], "availableFrom": formatter.string(from: Date()),
            "availableUntil": formatter.string(from: Date().addingTimeInterval(86_400)), "terms": "donated",
        ]
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let draft = try decoder.decode(ListingDraft.self, from: JSONSerialization.data(withJSONObject: json))
        _ = try await listings.create(draft, by: Actor(accountId: "company", organisationIds: []))
        let keys = try await pool.read { db in try String.fetchAll(db, sql: "SELECT partition_key FROM bus_outbox WHERE topic = ?", arguments: [ListingPublished.topic]) }
        #expect(keys == ["43:5"], "not the standard grid's 87:10")
    }
}
