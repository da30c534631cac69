import EcoConfig
import Foundation
import GRDB
import Testing

/// The right to erasure over the real processes: a person who went through every story is erased,
/// and no file of the deployment (SQLite files with their WAL, outboxes, dead letters, logs) keeps
/// anything they typed; another person's data stays whole, and the export shows both before.
@Suite("Erasure and export over HTTP", .serialized)
struct ErasureTests {
    /// Unique strings written into every field a person fills; lowercase, since emails are.
    struct Markers {
        let tag = "m" + UUID().uuidString.prefix(8).lowercased()
        var email: String { "\(tag)-mail@example.org" }
        var name: String { "Name \(tag)" }
        let phone = "+33 6 " + (0..<8).map { _ in String(Int.random(in: 0...9)) }.joined()
        var address: String { "12 rue \(tag), Marseille" }
        var description: String { "Dépôt sauvage \(tag) au coin de la rue" }
        var contactName: String { "Contact \(tag)" }
        var contactEmail: String { "\(tag)-contact@example.org" }
        var newEmail: String { "\(tag)-new@example.org" }
        var offerTitle: String { "Offre \(tag)" }
        var offerText: String { "Notes \(tag) sur l'état" }
        var offerAddress: String { "3 impasse \(tag), Marseille" }
    }

    /// A sole trader's offers, with the person's markers in every field they fill: a food lot and
    /// a demand for no organisation, and a listing for their own organisation, with a photo.
    /// Returns the photo's hash (its file's name).
    static func publishOffers(_ base: String, as session: HTTPSession, for organisation: String, _ person: Markers) async throws -> String {
        let place: [String: Any] = ["latitude": 43.305, "longitude": 5.39, "address": person.offerAddress]
        var lot = LotsTests.lot(title: person.offerTitle, price: 500, baskets: 2)
        lot["description"] = person.offerText
        lot["location"] = place
        let published = try await HTTP.send("POST", "\(base)/v1/lots", json: lot, token: session.accessToken)
        #expect(published.status == 201, "\(published.text)")
        let listing = try await HTTP.send("POST", "\(base)/v1/listings", json: ListingsTests.listing([
            "title": person.offerTitle, "description": person.offerText, "condition": "used, \(person.tag)", "location": place,
            "quantity": 10, "organisationId": organisation,
        ]), token: session.accessToken)
        #expect(listing.status == 201, "\(listing.text)")
        let listingID = try #require(try listing.json()["id"] as? String)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("photo of \(person.tag)".utf8))
        let photo = try await HTTP.send("POST", "\(base)/v1/listings/\(listingID)/photos", body: png, contentType: "image/png", token: session.accessToken)
        #expect(photo.status == 201, "\(photo.text)")
        var demand = MaterialsExchangeTests.demand(["17 02 01"])
        demand["title"] = person.offerTitle
        demand["location"] = ["latitude": 43.295, "longitude": 5.38, "address": person.offerAddress]
        let wanted = try await HTTP.send("POST", "\(base)/v1/demands", json: demand, token: session.accessToken)
        #expect(wanted.status == 201, "\(wanted.text)")
        return try #require((try photo.json()["photos"] as? [String])?.first)
    }

    @Test("an erased person is in no file of any service; another person's data is intact; the export before shows every service")
    func eraseEverywhere() async throws {
        let deployment = try await TestDeployment.make()
        let smtp = try await SMTPSink(outside: deployment)
        deployment.extraArguments["notifications"] = smtp.notificationsArguments + ["--webhook-retry-base", "0.2", "--webhook-retry-max", "1"]
        deployment.extraArguments["ingest"] = ["--matching-tick", "0.2", "--share-after", "1", "--proposal-timeout", "600"]
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let terms = try await HTTPSession.termsVersion(base)
        let erased = Markers(), kept = Markers()

        // The city's authority has a webhook (its receiver is away: deliveries wait with their bodies).
        let city = try await ReportAuthority.make(base, admin: admin, email: "erasure-city@marseille.example")
        try await city.bind(base, to: "marseille", admin: admin)
        let hook = try await HTTP.send("POST", "\(base)/v1/jurisdictions/marseille/webhooks",
                                       json: ["url": "http://127.0.0.1:9/hook", "secret": "erasure-webhook-secret-0123456789"], token: city.session.accessToken)
        #expect(hook.status == 201, "\(hook.text)")
        let merchant = try await HTTPSession.signUp(base, "erasure-shop@example.org", roles: ["merchant"])
        let association = try await HTTPSession.signUp(base, "erasure-association@example.org")
        #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(association.accountID)/roles", json: ["role": "association"], token: admin.accessToken).status == 200)
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Panier solidaire", price: 0, baskets: 4, startIn: -600), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String, "\(lot.text)")

        // Both people go through the stories: sign-up, beneficiary, free lot collected, report, email change.
        var people: [String: HTTPSession] = [:], photos: [String: String] = [:]
        for (index, person) in [erased, kept].enumerated() {
            let signUp = try await HTTP.send("POST", "\(base)/v1/auth/signup", json: [
                "email": person.email, "password": HTTPSession.password, "displayName": person.name, "termsVersion": terms, "emailNotifications": true,
            ])
            let session = try HTTPSession(signUp)
            people[person.tag] = session
            let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
            #expect(try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications", json: ["accountId": session.accountID, "validUntil": until],
                                        token: association.accessToken).status == 201)
            let beneficiary = try await HTTPSession.logIn(base, person.email)
            let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: beneficiary.accessToken)
            #expect(reserved.status == 201, "\(reserved.text)")
            let code = try #require(try reserved.json()["pickupCode"] as? [String: Any])
            let validated = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": code["token"] ?? "", "pin": code["pin"] ?? ""], token: merchant.accessToken)
            #expect(validated.status == 200, "\(validated.text)")
            // The second person's filing is 20 m from the first: it supports the first person's report.
            let report = try await HTTP.send("POST", "\(base)/v1/reports", json: ReportsTests.report([
                "latitude": 43.2951 + Double(index) * 0.00018, "address": person.address, "description": person.description,
                "mediaUrl": "https://photos.example.org/\(person.tag).jpg",
                "contact": ["name": person.contactName, "email": person.contactEmail, "phone": person.phone],
            ]), token: beneficiary.accessToken)
            #expect(report.status == (index == 0 ? 201 : 200), "\(report.text)")
            #expect(try await HTTP.send("POST", "\(base)/v1/me/subscriptions", json: ["chapters": ["17"], "latitude": 43.3, "longitude": 5.4, "radiusKm": 10],
                                        token: beneficiary.accessToken).status == 201)
            #expect(try await HTTP.send("POST", "\(base)/v1/me/email", json: ["email": person.newEmail, "password": HTTPSession.password],
                                        token: beneficiary.accessToken).status == 202)
            // A sole trader too: an organisation in their own name, with no other member.
            #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(session.accountID)/roles", json: ["role": "merchant"], token: admin.accessToken).status == 200)
            let shop = try await HTTP.send("POST", "\(base)/v1/organisations", json: ["name": person.name, "kind": "shop"], token: beneficiary.accessToken)
            #expect(shop.status == 201, "\(shop.text)")
            let shopID = try #require(try shop.json()["id"] as? String)
            photos[person.tag] = try await Self.publishOffers(base, as: beneficiary, for: shopID, person)
            let key = try await HTTP.send("POST", "\(base)/v1/api-keys", json: ["name": "Caisse de \(person.name)"], token: beneficiary.accessToken)
            #expect(key.status == 201, "\(key.text)")
            people[person.tag] = beneficiary
        }
        let person = try #require(people[erased.tag])
        _ = try await smtp.awaitMessage(to: erased.newEmail, containing: "confirm")
        _ = try await smtp.awaitMessage(to: erased.email, containing: "Reservation confirmed")
        _ = try await smtp.awaitMessage(to: "signalements@marseille.example", containing: erased.tag)
        // Each sole trader's listing reached the other's subscription, and the matcher proposed it
        // for the other's demand, with both addresses in the suggested mission.
        for (reader, author) in [(erased, kept), (kept, erased)] {
            let session = try #require(people[reader.tag])
            _ = try await eventually("\(reader.tag) to be told of \(author.tag)'s listing", timeout: .seconds(30)) { () -> Bool? in
                try await HTTP.get("\(base)/v1/me/notifications", token: session.accessToken).text.contains(author.tag) ? true : nil
            }
            _ = try await eventually("a proposal of \(author.tag)'s listing to \(reader.tag)", timeout: .seconds(30)) { () -> Bool? in
                try await HTTP.get("\(base)/v1/proposals", token: session.accessToken).text.contains(author.offerAddress) ? true : nil
            }
        }

        // The export gathers every service's part.
        let export = try await HTTP.get("\(base)/v1/me/export", token: person.accessToken)
        #expect(export.status == 200)
        let services = try #require(try export.json()["services"] as? [String: Any])
        #expect(Set(services.keys) == Set(BusTopology.instances(matchers: 1).map(\.name)))
        for value in [erased.email, erased.name, erased.description, erased.contactName, erased.address] {
            #expect(export.text.contains(value), "the export has \(value)")
        }
        // Nothing of anyone else, but for what the person was shown of the other's offers (a proposal's
        // pickup place, a notice of a shared listing).
        for value in [kept.email, kept.name, kept.description, kept.contactName, kept.contactEmail, kept.address, kept.phone, kept.offerText] {
            #expect(!export.text.contains(value), "and nothing of anyone else: \(value)")
        }
        #expect(try await HTTP.get("\(base)/v1/me/export").status == 401)

        // Before the erasure the scan finds the person in every store that holds them.
        let before = try Self.scan(deployment, for: [erased.tag])
        for store in ["gateway.sqlite", "ingest.sqlite", "notifications.sqlite", "matcher-0.sqlite", try #require(photos[erased.tag])] {
            #expect(before.contains { $0.hasPrefix(store) }, "\(store) holds the person before: \(before)")
        }

        // Erasure: the password confirms it; then every instance reports done.
        let wrong = try await HTTP.send("DELETE", "\(base)/v1/me", json: ["password": "not my password"], token: person.accessToken)
        #expect(wrong.status == 403)
        let accepted = try await HTTP.send("DELETE", "\(base)/v1/me", json: ["password": HTTPSession.password], token: person.accessToken)
        #expect(accepted.status == 202, "\(accepted.text)")
        #expect(try await HTTP.get("\(base)/v1/me", token: person.accessToken).status == 401, "its sessions are gone")
        _ = try await eventually("every service to erase", timeout: .seconds(30)) { () -> Bool? in
            let status = try await HTTP.get("\(base)/v1/admin/erasures/\(person.accountID)", token: admin.accessToken).json()
            return status["complete"] as? Bool == true ? true : nil
        }

        // No file keeps any of it; the other person's data is all there.
        let erasedValues = [erased.tag, erased.phone]
        nonisolated(unsafe) var lastHits: [String] = []
        defer { if !lastHits.isEmpty { Issue.record("still found: \(lastHits)") } }
        let found = try await eventually("no file to hold the erased person", timeout: .seconds(20), interval: .milliseconds(250)) { () -> [String]? in
            let hits = try Self.scan(deployment, for: erasedValues)
            lastHits = hits
            return hits.isEmpty ? hits : nil
        }
        #expect(found.isEmpty)
        let keptHits = try Self.scan(deployment, for: [kept.description, kept.contactName, kept.email])
        #expect(keptHits.contains { $0.hasPrefix("ingest.sqlite") }, "the other person's report and contact stay: \(keptHits)")
        #expect(keptHits.contains { $0.hasPrefix("gateway.sqlite") }, "and their account")
        let keptOffers = try Self.scan(deployment, for: [kept.offerTitle, kept.offerAddress])
        #expect(keptOffers.contains { $0.hasPrefix("matcher-0.sqlite") } && keptOffers.contains { $0.hasPrefix("ingest.sqlite") },
                "the other sole trader's offers stay: \(keptOffers)")
        let other = try #require(people[kept.tag])
        #expect(try await HTTP.get("\(base)/v1/me", token: other.accessToken).status == 200)
        let otherExport = try await HTTP.get("\(base)/v1/me/export", token: other.accessToken)
        #expect(otherExport.text.contains(kept.description) && otherExport.text.contains(kept.contactName))
        #expect(try await HTTP.send("POST", "\(base)/v1/auth/login", json: ["email": erased.email, "password": HTTPSession.password]).status == 401)

        // The report stays for the authority, without what the erased person wrote.
        let reports = try await HTTP.get("\(base)/open311/v2/requests.json")
        #expect(reports.status == 200 && !reports.text.contains(erased.tag))

        // Replay still works: notifications, rebuilt from nothing, replays every producer's history
        // (rewritten) and ends with the other person's contact and none of the erased one.
        try deployment.kill("notifications", signal: SIGTERM)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: deployment.dataDirectory.appendingPathComponent("notifications.sqlite\(suffix)"))
        }
        try deployment.start(ServiceInstance(.notifications))
        try await deployment.awaitAnswering(ServiceInstance(.notifications))
        _ = try await eventually("the rebuilt notifications to hold the other person again", timeout: .seconds(30)) { () -> Bool? in
            try Self.scan(deployment, for: [kept.email]).contains { $0.hasPrefix("notifications.sqlite") } ? true : nil
        }
        let rebuilt = try deployment.database(of: ServiceInstance(.notifications))
        _ = try await eventually("the rebuilt notifications to have applied the erasure again", timeout: .seconds(30)) { () -> Bool? in
            try await rebuilt.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bus_outbox WHERE topic = 'privacy.erased' AND instr(payload, ?) > 0", arguments: [person.accountID])
            } == 1 ? true : nil
        }
        #expect(try Self.scan(deployment, for: erasedValues).isEmpty, "replay brings nothing of the erased person back")
        let rowsOfTheErased = try await rebuilt.read { db in
            try ["contacts", "notifications", "email_outbox", "email_consents"].map { table in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE account_id = ?", arguments: [person.accountID]) ?? 0
            }.reduce(0, +)
        }
        #expect(rowsOfTheErased == 0, "not even rows under the erased account's id")
        _ = deployment.stopAll()
        #expect(try Self.scan(deployment, for: erasedValues).isEmpty, "nor after the services stopped")
    }

    /// Every file of the deployment that holds one of `values`: every file of the data directory
    /// (each SQLite file and its WAL, photos, keys), and every service's log. (The SMTP server's
    /// mailbox and the webhook receiver are outside it.)
    static func scan(_ deployment: TestDeployment, for values: [String]) throws -> [String] {
        let stored = (FileManager.default.enumerator(at: deployment.dataDirectory, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        let files = stored
            + BusTopology.instances(matchers: deployment.matchers).map { deployment.root.appendingPathComponent("\($0.name).log") }
            + [deployment.root.appendingPathComponent("forwarder.log")]
        var hits: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            for value in values where data.range(of: Data(value.utf8)) != nil {
                hits.append("\(file.lastPathComponent): \(value)")
            }
        }
        return hits
    }
}
