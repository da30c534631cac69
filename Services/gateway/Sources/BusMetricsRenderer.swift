import EcoBus

/// Renders every process's bus counters as Prometheus text, one series per service instance.
public enum BusMetricsRenderer {
    private struct Family: Sendable {
        let name: String
        let type: String
        let help: String
        let value: @Sendable (BusStatsSnapshot) -> String
    }

    private static let families: [Family] = [
        Family(name: "ecoresupply_bus_published_total", type: "counter", help: "Events published live from the outbox.") { "\($0.published)" },
        Family(name: "ecoresupply_bus_delivered_total", type: "counter", help: "Events applied by the consumer, exactly once.") { "\($0.delivered)" },
        Family(name: "ecoresupply_bus_replayed_total", type: "counter", help: "Events applied that arrived through replay.") { "\($0.replayed)" },
        Family(name: "ecoresupply_bus_replay_served_total", type: "counter", help: "Events served to others from the outbox by replay.") { "\($0.replayServed)" },
        Family(name: "ecoresupply_bus_duplicates_skipped_total", type: "counter", help: "Events received again and skipped.") { "\($0.duplicatesSkipped)" },
        Family(name: "ecoresupply_bus_dead_lettered_total", type: "counter", help: "Messages that could not be used, kept in the dead-letter table.") { "\($0.deadLettered)" },
        Family(name: "ecoresupply_bus_consumer_lag", type: "gauge", help: "Events known to exist and not yet applied.") { "\($0.totalLag)" },
    ]

    /// - Parameters:
    ///   - snapshots: the counters of each instance that answered.
    ///   - instances: every instance expected, to report `ecoresupply_service_up` 0 for the silent ones.
    public static func render(_ snapshots: [BusStatsSnapshot], instances: [String]) -> String {
        let sorted = snapshots.sorted { $0.instance < $1.instance }
        var out = ""
        out += "# HELP ecoresupply_service_up Whether the service answered the gateway's stats request.\n"
        out += "# TYPE ecoresupply_service_up gauge\n"
        let answered = Set(snapshots.map(\.instance))
        for instance in instances.sorted() {
            out += "ecoresupply_service_up{service=\"\(instance)\"} \(answered.contains(instance) ? 1 : 0)\n"
        }
        for family in families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for snapshot in sorted {
                out += "\(family.name){service=\"\(snapshot.instance)\"} \(family.value(snapshot))\n"
            }
        }
        return out
    }
}
