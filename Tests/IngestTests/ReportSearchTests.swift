import EcoBus
import EcoModel
import EcoStore
import EcoTerritory
import Foundation
import GRDB
import IngestService
import Testing

@Suite("ReportSearch: the Open311 read side")
struct ReportSearchTests {
    let desk: ReportDesk
    let search: ReportSearch

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-search-\(UUID().uuidString)")
        let pool = try DatabaseOpener.open(
            at: directory.appendingPathComponent("ingest.sqlite"), fullSync: false, migrations: BusSchema.migrations + IngestService.migrations)
        let territory = try Territory.embedded()
        desk = ReportDesk(database: pool, outbox: Outbox(producer: "ingest"), territory: territory, photos: PhotoStore(directory: directory.appendingPathComponent("photos")))
        search = ReportSearch(database: pool, territory: territory)
    }

    static let day: TimeInterval = 86_400
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func file(_ category: String, daysAgo: Double, latitude: Double) async throws -> String {
        let draft = ReportDraft(category: category, latitude: latitude, longitude: 5.3740, address: nil, description: "Constat", contact: nil)
        return try await desk.file(ReportRequests.File(draft: draft, reporterAccountId: nil, photoTypes: []), photoFrames: [],
                                   now: Self.now.addingTimeInterval(-daysAgo * Self.day)).report.id
    }

    func ids(from: Date? = nil, to: Date? = nil, categories: [String]? = nil, statuses: [String]? = nil, ids: [String]? = nil) async throws -> [String] {
        try await search.search(ReportSearchRequests.Search(ids: ids, categories: categories, open311Statuses: statuses, from: from, to: to, limit: 1000),
                                now: Self.now).items.map(\.id)
    }

    @Test("the default window is the 90 days before now, or before end_date, or after start_date; newest first")
    func windows() async throws {
        let recent = try await file("illegal_dumping", daysAgo: 1, latitude: 43.29)
        let older = try await file("noise", daysAgo: 60, latitude: 43.30)
        let ancient = try await file("illegal_dumping", daysAgo: 120, latitude: 43.31)
        #expect(try await ids() == [recent, older])
        #expect(try await ids(to: Self.now.addingTimeInterval(-50 * Self.day)) == [older, ancient])
        #expect(try await ids(from: Self.now.addingTimeInterval(-200 * Self.day)) == [ancient])
        #expect(try await ids(categories: ["noise"]) == [older])
        #expect(try await ids(statuses: ["closed"]).isEmpty)
        #expect(try await ids(statuses: ["open"]) == [recent, older])
        #expect(try await ids(statuses: ["closed"], ids: [ancient, recent]) == [recent, ancient], "ids override the other filters")
        let names = try await search.search(ReportSearchRequests.Search(ids: [recent], categories: nil, open311Statuses: nil, from: nil, to: nil, limit: 1))
        #expect(names.categoryNames["illegal_dumping"] == "Illegal dumping" && names.jurisdictionNames["marseille"] == "Ville de Marseille")
    }

    @Test("a window over 90 days, an inverted one or an unknown status is refused, naming the parameter")
    func refused() async throws {
        func field(_ search: ReportSearchRequests.Search) async -> String? {
            do { _ = try await self.search.search(search, now: Self.now); return nil } catch let error as RemoteError { return error.field } catch { return "?" }
        }
        let wide = ReportSearchRequests.Search(ids: nil, categories: nil, open311Statuses: nil, from: Self.now.addingTimeInterval(-91 * Self.day), to: Self.now, limit: 10)
        #expect(await field(wide) == "start_date")
        let inverted = ReportSearchRequests.Search(ids: nil, categories: nil, open311Statuses: nil, from: Self.now, to: Self.now.addingTimeInterval(-Self.day), limit: 10)
        #expect(await field(inverted) == "start_date")
        let status = ReportSearchRequests.Search(ids: nil, categories: nil, open311Statuses: ["pending"], from: nil, to: nil, limit: 10)
        #expect(await field(status) == "status")
    }

    @Test("a filing's token leads to the report it created or supports")
    func tokens() async throws {
        let draft = ReportDraft(category: "illegal_dumping", latitude: 43.2951, longitude: 5.3740, address: nil, description: "Gravats", contact: nil)
        let first = try await desk.file(ReportRequests.File(draft: draft, reporterAccountId: nil, photoTypes: []), photoFrames: [])
        let second = try await desk.file(ReportRequests.File(draft: draft, reporterAccountId: nil, photoTypes: []), photoFrames: [])
        #expect(second.linkedToExisting && first.filingId != second.filingId)
        let token = try await search.token(ReportSearchRequests.Token(token: try #require(second.filingId), reportId: nil))
        #expect(token.reportId == first.report.id)
        await #expect(throws: RemoteError.self) { try await search.token(ReportSearchRequests.Token(token: "nope", reportId: nil)) }
    }
}
