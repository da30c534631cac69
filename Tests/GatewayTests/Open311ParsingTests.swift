import Foundation
@testable import GatewayService
import Testing

/// Open311 input: form bodies, filing fields, and the requests filters with their 90-day window.
@Suite("Open311 input")
struct Open311ParsingTests {
    @Test("a form body: percent and plus decoding, empty values; a repeated or malformed field is refused")
    func form() throws {
        let form = try Open311Form.parse("service_code=illegal_dumping&description=Gravats+d%C3%A9pos%C3%A9s%20ici&email=&lat=43.3")
        #expect(form["description"] == "Gravats déposés ici" && form["email"] == "" && form["lat"] == "43.3")
        #expect(throws: Open311Form.Failure.repeated("lat")) { try Open311Form.parse("lat=1&lat=2") }
        #expect(throws: Open311Form.Failure.malformed("lat=%ZZ")) { try Open311Form.parse("lat=%ZZ") }
    }

    @Test("a filing becomes a draft; unknown fields and attributes are refused, never dropped")
    func draft() throws {
        let form = try Open311Form.parse("api_key=k&service_code=noise&lat=43.3&long=5.4&description=Bruit&first_name=Ana&last_name=Lo&device_id=x")
        let draft = try Open311RequestRoutes.draft(from: form)
        #expect(draft.category == "noise" && draft.latitude == 43.3 && draft.longitude == 5.4 && draft.contact?.name == "Ana Lo")
        #expect(draft.contact?.email == nil)
        func field(_ text: String) -> String? {
            do { _ = try Open311RequestRoutes.draft(from: try Open311Form.parse(text)); return nil } catch let error as APIError { return error.body.field } catch { return "?" }
        }
        #expect(field("service_code=noise&lat=1&long=2&attribute[depth]=3") == "attribute[depth]")
        #expect(field("service_code=noise&lat=1&long=2&colour=red") == "colour")
        #expect(field("lat=1&long=2") == "service_code")
        #expect(field("service_code=noise&lat=north&long=2") == "lat")
        // Issue 10: a value that is not a number is said to be one, not missing.
        func message(_ text: String) -> String? {
            do { _ = try Open311RequestRoutes.draft(from: try Open311Form.parse(text)); return nil } catch let error as APIError { return error.body.message } catch { return "?" }
        }
        #expect(message("service_code=noise&lat=abc&long=2")?.contains("lat is not a number") == true)
        #expect(message("service_code=noise&long=2")?.contains("lat is required") == true)
        #expect(field("service_code=noise&lat=1&long=2&address_id=9") == "address_id")
    }

    @Test("requests filters: ids, lists, dates with offsets")
    func filters() throws {
        let statuses = try Open311RequestRoutes.search(from: [(key: Substring("status"), value: Substring("open,closed"))])
        #expect(statuses.from == nil && statuses.to == nil && statuses.open311Statuses == ["open", "closed"])
        let start = try Open311RequestRoutes.search(from: [(key: Substring("start_date"), value: Substring("2026-01-01T00:00:00 01:00"))])
        #expect(start.from == Date(timeIntervalSince1970: 1_767_222_000), "a + read as a space is taken back")
        let ids = try Open311RequestRoutes.search(from: [(key: Substring("service_request_id"), value: Substring("a, b,"))])
        #expect(ids.ids == ["a", "b"])
        #expect(throws: APIError.self) { try Open311RequestRoutes.search(from: [(key: Substring("end_date"), value: Substring("tomorrow"))]) }
    }
}
