import EcoBus
import EcoModel
import EcoStore
import EcoTerritory
import Foundation
import GRDB
import IngestService
import Testing

@Suite("ReportDesk: filing, validation, duplicates and routing")
struct ReportDeskTests {
    let desk: ReportDesk
    let pool: DatabasePool

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-desk-\(UUID().uuidString)")
        pool = try DatabaseOpener.open(at: directory.appendingPathComponent("ingest.sqlite"), fullSync: false, migrations: BusSchema.migrations + IngestService.migrations)
        desk = ReportDesk(database: pool, outbox: Outbox(producer: "ingest"), territory: try Territory.embedded(),
                          photos: PhotoStore(directory: directory.appendingPathComponent("photos")))
    }

    static func filing(_ category: String = "illegal_dumping", latitude: Double = 43.2951, longitude: Double = 5.3740,
                       description: String = "Gravats déposés sur le trottoir", email: String? = "ana@example.org") -> ReportRequests.File {
        ReportRequests.File(
            draft: ReportDraft(category: category, latitude: latitude, longitude: longitude, address: "Quai du Port", description: description,
                               contact: ReportContact(email: email, name: "Ana", phone: nil)),
            reporterAccountId: "account-1", photoTypes: [])
    }

    @Test("a report is routed to its authority; the public report and its event carry nothing personal")
    func routed() async throws {
        let filed = try await desk.file(Self.filing(), photoFrames: [])
        #expect(!filed.linkedToExisting)
        #expect(filed.report.jurisdictionId == "marseille")
        #expect(filed.report.history.map(\.status) == [.open])
        let payload = try await pool.read { try Data.fetchOne($0, sql: "SELECT payload FROM bus_outbox WHERE topic = 'report.filed'") }
        let text = String(decoding: try #require(payload), as: UTF8.self)
        #expect(!text.contains("ana@example.org") && !text.contains("account-1") && !text.contains("Ana\""), "no personal data in \(text)")
        let kept = try await pool.read { try Row.fetchOne($0, sql: "SELECT reporter_account_id, contact FROM report_filings") }
        #expect(kept?["reporter_account_id"] as String? == "account-1")
        let queued = try await desk.file(Self.filing("noise", latitude: 43.5297, longitude: 5.4474), photoFrames: [])
        #expect(queued.report.jurisdictionId == nil, "no authority: the admin queue")
    }

    @Test("a filing within 50 m of an open report of the same category supports it; farther, or another category, is new")
    func duplicates() async throws {
        let first = try await desk.file(Self.filing(), photoFrames: [])
        // About 30 m north: linked.
        let near = try await desk.file(Self.filing(latitude: 43.2951 + 0.00027), photoFrames: [])
        #expect(near.linkedToExisting && near.report.id == first.report.id && near.report.supporters == 1)
        // About 80 m north: a new report.
        let far = try await desk.file(Self.filing(latitude: 43.2951 + 0.00072), photoFrames: [])
        #expect(!far.linkedToExisting && far.report.id != first.report.id)
        let other = try await desk.file(Self.filing("abandoned_vehicle"), photoFrames: [])
        #expect(!other.linkedToExisting)
        let filings = try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM report_filings WHERE report_id = ?", arguments: [first.report.id]) }
        #expect(filings == 2, "the linked filing is kept, not lost")
        let topics = try await pool.read { try String.fetchAll($0, sql: "SELECT topic FROM bus_outbox ORDER BY sequence") }
        #expect(topics == ["report.filed", "report.supported", "report.filed", "report.filed"])
    }

    @Test("bad input is refused with the field at fault")
    func badInput() async throws {
        func field(_ request: ReportRequests.File, _ photos: [Data] = []) async -> String? {
            do {
                _ = try await desk.file(request, photoFrames: photos)
                return nil
            } catch let error as RemoteError {
                return error.field
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(await field(Self.filing("smell")) == "category")
        #expect(await field(Self.filing(latitude: 40.71, longitude: -74.0)) == "latitude")
        #expect(await field(Self.filing(latitude: 91)) == "latitude")
        #expect(await field(Self.filing(description: " ")) == "description")
        #expect(await field(Self.filing(description: String(repeating: "x", count: 2001))) == "description")
        #expect(await field(Self.filing(email: "not-an-email")) == "contact.email")
        var withPhoto = Self.filing()
        withPhoto.photoTypes = ["image/png"]
        #expect(await field(withPhoto, [Data("not a png".utf8)]) == "photos[0]")
        withPhoto.photoTypes = Array(repeating: "image/png", count: 4)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        #expect(await field(withPhoto, Array(repeating: png, count: 4)) == "photos")
    }

    @Test("an admin routing a report away announces report.routed with the jurisdiction it left")
    func routedAway() async throws {
        let filed = try await desk.file(Self.filing(), photoFrames: [])
        let queue = ReportQueue(database: pool, outbox: Outbox(producer: "ingest"), territory: try Territory.embedded())
        let admin = Actor(accountId: "admin-1", organisationIds: [], isAdmin: true)
        let moved = try await queue.route(ReportQueueRequests.Route(actor: admin, reportId: filed.report.id, jurisdictionId: "ofb"))
        #expect(moved.jurisdictionId == "ofb")
        let payload = try await pool.read { try Data.fetchOne($0, sql: "SELECT payload FROM bus_outbox WHERE topic = 'report.routed'") }
        let event = try EventCodec.decoder.decode(CloudEvent<ReportChanged>.self, from: try #require(payload))
        #expect(event.data.previousJurisdictionId == "marseille" && event.data.report.jurisdictionId == "ofb")
        #expect(ReportChanged.concerned(jurisdictionId: "ofb", previousJurisdictionId: "marseille") == ["ofb", "marseille"])
        #expect(ReportChanged.concerned(jurisdictionId: nil, previousJurisdictionId: nil).isEmpty)
    }
}

