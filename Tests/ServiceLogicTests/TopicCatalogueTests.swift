import EcoConfig
import EcoRuntime
import Foundation
import Testing

/// docs/events.md's table and the catalogue the forwarder enforces say the same.
@Suite("Who may publish what: docs/events.md as data")
struct TopicCatalogueTests {
    @Test("a service publishes its own topics under its own name only")
    func rights() {
        #expect(TopicCatalogue.permits(identity: "gateway", topic: "account.created", source: "gateway"))
        #expect(!TopicCatalogue.permits(identity: "gateway", topic: "pickup.completed", source: "gateway"))
        #expect(!TopicCatalogue.permits(identity: "reporting", topic: "pickup.completed", source: "pickup-validator"), "not under another's name")
        #expect(TopicCatalogue.permits(identity: "matcher-2", topic: "reservation.created", source: "matcher-2"))
        #expect(!TopicCatalogue.permits(identity: "matcher-2", topic: "reservation.created", source: "matcher-1"))
        #expect(TopicCatalogue.permits(identity: "notifications", topic: "bus.heartbeat", source: "notifications"))
        #expect(!TopicCatalogue.permits(identity: "cli", topic: "bus.heartbeat", source: "cli"), "the command line publishes nothing")
    }

    @Test("every row of docs/events.md is permitted to the producer it names, and nothing else is")
    func matchesTheDocument() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let text = try String(contentsOf: url.appendingPathComponent("docs/events.md"), encoding: .utf8)
        let producers = BusTopology.instances(matchers: 2).map(\.name)
        var documented: [String: Set<String>] = [:]
        for line in text.components(separatedBy: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            var topics: [String] = []
            for entry in cells[0].components(separatedBy: ", ") {
                let name = entry.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
                if name.hasPrefix("."), let first = topics.first, let domain = first.split(separator: ".").first {
                    topics.append("\(domain)\(name)")
                } else {
                    topics.append(name)
                }
            }
            let who = cells[1]
            let names: [String] = who.hasPrefix("every") || who == "any" ? producers : who.hasPrefix("matcher-N") ? ["matcher-0", "matcher-1"] : [who]
            for name in names { documented[name, default: []].formUnion(topics) }
        }
        #expect(documented.count >= 6, "\(documented.keys.sorted())")
        for producer in producers {
            let allowed = documented[producer] ?? []
            for topic in allowed {
                #expect(TopicCatalogue.permits(identity: producer, topic: topic, source: producer), "\(producer) publishes \(topic) (docs/events.md)")
            }
            let kind = try #require(TopicCatalogue.kind(of: producer))
            for topic in (TopicCatalogue.byKind[kind] ?? []).union(TopicCatalogue.everyProducer) {
                #expect(allowed.contains(topic), "\(producer) may publish \(topic), which docs/events.md does not give it")
            }
        }
    }
}
