import EcoBus
import GatewayService
import Testing

@Suite("BusMetricsRenderer: Prometheus text of every instance's bus counters")
struct BusMetricsRendererTests {
    static let families = [
        "ecoresupply_bus_published_total", "ecoresupply_bus_delivered_total", "ecoresupply_bus_replayed_total",
        "ecoresupply_bus_replay_served_total", "ecoresupply_bus_duplicates_skipped_total",
        "ecoresupply_bus_dead_lettered_total", "ecoresupply_bus_consumer_lag",
    ]

    private func snapshots() -> [BusStatsSnapshot] {
        var ingest = BusStatsSnapshot(instance: "ingest")
        ingest.published = 12
        ingest.replayServed = 4
        var reporting = BusStatsSnapshot(instance: "reporting")
        reporting.delivered = 10
        reporting.replayed = 3
        reporting.duplicatesSkipped = 2
        reporting.deadLettered = 1
        reporting.lag = ["ingest": 2, "matcher-0": 5]
        return [reporting, ingest]
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("one series per answering instance in every family")
    func oneSeriesPerInstance() {
        let text = BusMetricsRenderer.render(snapshots(), instances: ["gateway", "ingest", "reporting"])
        let all = lines(text)
        for family in Self.families {
            let series = all.filter { $0.hasPrefix("\(family){") }
            #expect(series == [
                "\(family){service=\"ingest\"} \(value(family, "ingest"))",
                "\(family){service=\"reporting\"} \(value(family, "reporting"))",
            ])
            #expect(all.filter { $0 == "# TYPE \(family) \(family.hasSuffix("_lag") ? "gauge" : "counter")" }.count == 1)
            #expect(all.filter { $0.hasPrefix("# HELP \(family) ") }.count == 1)
        }
        #expect(text.hasSuffix("\n"))
    }

    private func value(_ family: String, _ instance: String) -> String {
        let expected: [String: [String: String]] = [
            "ecoresupply_bus_published_total": ["ingest": "12", "reporting": "0"],
            "ecoresupply_bus_delivered_total": ["ingest": "0", "reporting": "10"],
            "ecoresupply_bus_replayed_total": ["ingest": "0", "reporting": "3"],
            "ecoresupply_bus_replay_served_total": ["ingest": "4", "reporting": "0"],
            "ecoresupply_bus_duplicates_skipped_total": ["ingest": "0", "reporting": "2"],
            "ecoresupply_bus_dead_lettered_total": ["ingest": "0", "reporting": "1"],
            "ecoresupply_bus_consumer_lag": ["ingest": "0", "reporting": "7"],
        ]
        return expected[family]?[instance] ?? "?"
    }

    @Test("ecoresupply_service_up is 1 for instances that answered and 0 for a silent one")
    func serviceUp() {
        let text = BusMetricsRenderer.render(snapshots(), instances: ["reporting", "matcher-0", "ingest"])
        let up = lines(text).filter { $0.hasPrefix("ecoresupply_service_up{") }
        #expect(up == [
            "ecoresupply_service_up{service=\"ingest\"} 1",
            "ecoresupply_service_up{service=\"matcher-0\"} 0",
            "ecoresupply_service_up{service=\"reporting\"} 1",
        ])
        #expect(lines(text).contains("# TYPE ecoresupply_service_up gauge"))
        // The silent instance has no counter series.
        #expect(!text.contains("ecoresupply_bus_published_total{service=\"matcher-0\"}"))
    }

    @Test("with nobody answering, every expected instance is down and no counter series is emitted")
    func nobodyAnswered() {
        let text = BusMetricsRenderer.render([], instances: ["gateway", "ingest"])
        let all = lines(text)
        #expect(all.contains("ecoresupply_service_up{service=\"gateway\"} 0"))
        #expect(all.contains("ecoresupply_service_up{service=\"ingest\"} 0"))
        for family in Self.families {
            #expect(all.filter { $0.hasPrefix("\(family){") }.isEmpty)
            #expect(all.contains("# TYPE \(family) \(family.hasSuffix("_lag") ? "gauge" : "counter")"))
        }
    }
}
