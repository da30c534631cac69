import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Open311 GeoReport v2 over HTTP against the real gateway and ingest (this part: discovery,
/// services and service definitions, in JSON and XML).
@Suite("Open311 GeoReport v2 over HTTP", .serialized)
struct Open311Tests {
    /// The element names and texts of an XML document, in order; nil when it is not well-formed.
    final class Elements: NSObject, XMLParserDelegate {
        var names: [String] = []
        var texts: [String: [String]] = [:]
        private var current = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            names.append(name)
            current = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            texts[name, default: []].append(current)
            current = ""
        }
        static func read(_ data: Data) -> Elements? {
            let parser = XMLParser(data: data)
            let elements = Elements()
            parser.delegate = elements
            return parser.parse() ? elements : nil
        }
    }

    @Test("services and service definitions in JSON and XML, errors in the specification's shape, and the discovery document")
    func services() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)/open311"

        let json = try await HTTP.get("\(base)/v2/services.json")
        #expect(json.status == 200 && json.contentType?.hasPrefix("application/json") == true)
        let list = try #require(try JSONSerialization.jsonObject(with: json.body) as? [[String: Any]])
        let dumping = try #require(list.first { $0["service_code"] as? String == "illegal_dumping" })
        #expect(dumping["service_name"] as? String == "Illegal dumping")
        #expect(dumping["metadata"] as? Bool == false && dumping["type"] as? String == "realtime")
        #expect(list.count == 9)

        let xml = try await HTTP.get("\(base)/v2/services.xml")
        #expect(xml.status == 200 && xml.contentType?.hasPrefix("text/xml") == true)
        let elements = try #require(Elements.read(xml.body), "well-formed XML: \(xml.text)")
        #expect(elements.names.first == "services")
        #expect(elements.names.filter { $0 == "service" }.count == 9)
        #expect(elements.texts["service_code"]?.contains("illegal_dumping") == true)

        let definition = try await HTTP.get("\(base)/v2/services/illegal_dumping.json")
        #expect(try definition.json()["service_code"] as? String == "illegal_dumping")
        let definitionXML = try await HTTP.get("\(base)/v2/services/illegal_dumping.xml")
        #expect(Elements.read(definitionXML.body)?.names.first == "service_definition")

        let missing = try await HTTP.get("\(base)/v2/services/smell.json")
        #expect(missing.status == 404)
        let errors = try #require(try JSONSerialization.jsonObject(with: missing.body) as? [[String: Any]])
        #expect(errors.first?["code"] as? Int == 404 && (errors.first?["description"] as? String)?.contains("smell") == true)
        let missingXML = try await HTTP.get("\(base)/v2/services/smell.xml")
        #expect(missingXML.status == 404 && Elements.read(missingXML.body)?.names == ["errors", "error", "code", "description"])

        let discovery = try await HTTP.get("\(base)/discovery.json").json()
        let endpoint = try #require((discovery["endpoints"] as? [[String: Any]])?.first)
        #expect(endpoint["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
        #expect((endpoint["url"] as? String)?.hasSuffix("/open311/v2") == true)
        #expect(endpoint["formats"] as? [String] == ["application/json", "text/xml"])
        _ = deployment.stopAll()
    }

    /// A form body as Open311 clients send it.
    static func form(_ fields: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
        return Data(encoded.joined(separator: "&").utf8)
    }

    static func post(_ url: String, _ fields: [(String, String)]) async throws -> HTTP.Reply {
        try await HTTP.send("POST", url, body: form(fields), contentType: "application/x-www-form-urlencoded")
    }

    static func list(_ reply: HTTP.Reply) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]], "a JSON list: \(reply.text)")
    }

    @Test("requests: filing with an api_key, tokens, one request and filtered lists, in JSON and XML; bad input in the specification's error shape")
    func requests() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let root = "http://127.0.0.1:\(deployment.httpPort)"
        let base = "\(root)/open311/v2"
        let admin = try await HTTPSession.logIn(root, TestDeployment.adminEmail, TestDeployment.adminPassword)
        let key = try #require(try await HTTP.send("POST", "\(root)/v1/api-keys", json: ["name": "city app"], token: admin.accessToken).json()["apiKey"] as? String)
        let filing: [(String, String)] = [
            ("api_key", key), ("service_code", "illegal_dumping"), ("lat", "43.2951"), ("long", "5.3740"), ("address_string", "Quai du Port, Marseille"),
            ("description", "Gravats déposés + sacs"), ("email", "temoin@example.org"), ("first_name", "Jeanne"), ("last_name", "Témoin"),
            ("media_url", "https://photos.example.org/p/1.jpg"), ("device_id", "phone-1"),
        ]

        // Filing in JSON: a service_request_id at once, and a token.
        let filed = try await Self.post("\(base)/requests.json", filing)
        #expect(filed.status == 201, "\(filed.text)")
        let first = try #require(try Self.list(filed).first)
        let id = try #require(first["service_request_id"] as? String)
        let token = try #require(first["token"] as? String)
        #expect((first["service_notice"] as? String)?.isEmpty == false)

        // Filing in XML, 30 m away: linked to the first as support; its token leads to the first.
        let supporting = try await Self.post("\(base)/requests.xml", filing.map { $0.0 == "lat" ? ("lat", "43.29537") : $0 })
        #expect(supporting.status == 201, "\(supporting.text)")
        let supportingXML = try #require(Elements.read(supporting.body), "\(supporting.text)")
        #expect(supportingXML.names.prefix(2) == ["service_requests", "request"])
        #expect(supportingXML.texts["service_request_id"] == [id])
        let supportToken = try #require(supportingXML.texts["token"]?.first)
        #expect(supportToken != token)
        #expect(try Self.list(try await HTTP.get("\(base)/tokens/\(supportToken).json")).first?["service_request_id"] as? String == id)
        let tokenXML = try await HTTP.get("\(base)/tokens/\(token).xml")
        #expect(Elements.read(tokenXML.body)?.texts["service_request_id"] == [id], "\(tokenXML.text)")
        #expect(try await HTTP.get("\(base)/tokens/nope.json").status == 404)

        // One request, both formats; nothing personal.
        let one = try await HTTP.get("\(base)/requests/\(id).json")
        let request = try #require(try Self.list(one).first)
        #expect(request["status"] as? String == "open" && request["service_code"] as? String == "illegal_dumping")
        #expect(request["service_name"] as? String == "Illegal dumping")
        #expect((request["agency_responsible"] as? String)?.isEmpty == false)
        #expect(request["lat"] as? Double == 43.2951 && request["long"] as? Double == 5.374)
        #expect(request["media_url"] as? String == "https://photos.example.org/p/1.jpg")
        #expect(request["address"] as? String == "Quai du Port, Marseille" && request["description"] as? String == "Gravats déposés + sacs")
        let requested = try #require(request["requested_datetime"] as? String)
        #expect(requested.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"#, options: .regularExpression) != nil, "\(requested)")
        #expect(!one.text.contains("temoin@example.org") && !one.text.contains("Jeanne"))
        let oneXML = try #require(Elements.read(try await HTTP.get("\(base)/requests/\(id).xml").body))
        #expect(oneXML.names.prefix(2) == ["service_requests", "request"] && oneXML.texts["service_request_id"] == [id])
        #expect(oneXML.texts["lat"] == ["43.2951"])
        #expect(try await HTTP.get("\(base)/requests/\(String(repeating: "x", count: 300)).json").status == 404)
        let unknown = try await HTTP.get("\(base)/requests/nope.xml")
        #expect(unknown.status == 404 && Elements.read(unknown.body)?.names == ["errors", "error", "code", "description"])

        // A second report, closed with a reason, for the filters.
        let noise = try await Self.post("\(base)/requests.json", [
            ("api_key", key), ("service_code", "noise"), ("lat", "43.30"), ("long", "5.40"), ("description", "Chantier de nuit"),
        ])
        let noiseID = try #require(try Self.list(noise).first?["service_request_id"] as? String, "\(noise.text)")
        let closed = try await HTTP.send("POST", "\(root)/v1/reports/\(noiseID)/status", json: ["status": "closed", "reason": "chantier autorisé"], token: admin.accessToken)
        #expect(closed.status == 200, "\(closed.text)")

        func ids(_ query: String) async throws -> [String] {
            let reply = try await HTTP.get("\(base)/requests.json\(query)")
            #expect(reply.status == 200, "\(query): \(reply.text)")
            return try Self.list(reply).compactMap { $0["service_request_id"] as? String }
        }
        #expect(try await ids("") == [noiseID, id], "newest first, the last 90 days")
        #expect(try await ids("?status=open") == [id])
        #expect(try await ids("?status=closed") == [noiseID])
        #expect(try await ids("?status=open,closed&service_code=noise") == [noiseID])
        #expect(try await ids("?service_request_id=\(id),\(noiseID)&status=closed").sorted() == [id, noiseID].sorted(), "ids override the other filters")
        #expect(try await ids("?start_date=2020-01-01T00:00:00%2B01:00&end_date=2020-02-01T00:00:00Z").isEmpty)
        #expect(try await ids("?end_date=2099-01-01T00:00:00Z").isEmpty, "the default window is the 90 days before end_date")
        let noiseList = try Self.list(try await HTTP.get("\(base)/requests.json?status=closed"))
        #expect(noiseList.first?["status_notes"] as? String == "chantier autorisé")
        let listXML = try #require(Elements.read(try await HTTP.get("\(base)/requests.xml?service_code=illegal_dumping").body))
        #expect(listXML.names.first == "service_requests" && listXML.texts["service_request_id"] == [id])

        // Bad input: the specification's error body, a clear code and the field named.
        func error(_ reply: HTTP.Reply) throws -> (Int, String) {
            let item = try #require(try Self.list(reply).first, "\(reply.text)")
            return (item["code"] as? Int ?? 0, item["description"] as? String ?? "")
        }
        let window = try error(try await HTTP.get("\(base)/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"))
        #expect(window.0 == 400 && window.1.contains("90 days"))
        #expect(try error(try await HTTP.get("\(base)/requests.json?start_date=yesterday")).1.contains("start_date"))
        #expect(try error(try await HTTP.get("\(base)/requests.json?status=pending")).1.contains("status"))
        let keyless = try error(try await Self.post("\(base)/requests.json", filing.filter { $0.0 != "api_key" }))
        #expect(keyless.0 == 403 && keyless.1.contains("api_key"))
        #expect(try error(try await Self.post("\(base)/requests.json", [("api_key", "erk_nope_nope")] + filing.dropFirst())).0 == 403)
        let unknownService = try error(try await Self.post("\(base)/requests.json", filing.map { $0.0 == "service_code" ? ("service_code", "smell") : $0 }))
        #expect(unknownService.0 == 400 && unknownService.1.hasPrefix("service_code"))
        #expect(try error(try await Self.post("\(base)/requests.json", filing + [("attribute[depth]", "3")])).1.contains("attribute[depth]"))
        #expect(try error(try await Self.post("\(base)/requests.json", filing.filter { $0.0 != "lat" })).1.contains("lat"))
        #expect(try error(try await Self.post("\(base)/requests.json", filing + [("colour", "red")])).1.contains("colour"))
        #expect(try error(try await Self.post("\(base)/requests.json", filing.map { $0.0 == "media_url" ? ("media_url", "ftp://x") : $0 })).1.contains("media_url"))
        let outside = try error(try await Self.post("\(base)/requests.json", filing.map { $0.0 == "lat" ? ("lat", "40.71") : $0.0 == "long" ? ("long", "-74.0") : $0 }))
        #expect(outside.0 == 400 && outside.1.contains("lat"))
        let xmlError = try await Self.post("\(base)/requests.xml", filing.filter { $0.0 != "service_code" })
        #expect(xmlError.status == 400 && Elements.read(xmlError.body)?.names == ["errors", "error", "code", "description"])
        let jsonBody = try await HTTP.send("POST", "\(base)/requests.json", json: ["service_code": "noise"])
        let notForm = try error(jsonBody)
        #expect(jsonBody.status == 415 && notForm.1.contains("x-www-form-urlencoded"))
        _ = deployment.stopAll()
    }
}
