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
}
