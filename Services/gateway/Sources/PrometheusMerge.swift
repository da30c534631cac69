/// Merges the Prometheus text of several processes into one exposition: each family once (its
/// first `# HELP` and `# TYPE`), its samples from every process, each labelled `service="<name>"`.
/// The gateway's `/metrics` uses it for the swift-metrics counters every service answers with
/// `bus.metrics` (retention purges, webhook attempts, the materials rounds, …).
public enum PrometheusMerge {
    /// - Parameter texts: each process's name and its own exposition, unlabelled by service.
    public static func merge(_ texts: [(service: String, text: String)]) -> String {
        var order: [String] = []
        var headers: [String: [String]] = [:]
        var samples: [String: [String]] = [:]
        for (service, text) in texts {
            var family: String?
            for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
                if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                    let name = String(line.dropFirst(7).prefix { $0 != " " })
                    family = name
                    if headers[name] == nil { order.append(name); headers[name] = [] }
                    if !(headers[name]?.contains { $0.hasPrefix(String(line.prefix(7))) } ?? false) { headers[name]?.append(line) }
                    continue
                }
                guard !line.hasPrefix("#") else { continue }
                let sampleName = String(line.prefix { $0 != "{" && $0 != " " })
                let name = family.flatMap { sampleName.hasPrefix($0) ? $0 : nil } ?? sampleName
                if headers[name] == nil { order.append(name); headers[name] = [] }
                samples[name, default: []].append(labelled(line, name: sampleName, service: service))
            }
        }
        return order.map { name in (headers[name, default: []] + samples[name, default: []]).joined(separator: "\n") + "\n" }.joined()
    }

    /// The sample line with `service` as its first label.
    static func labelled(_ line: String, name: String, service: String) -> String {
        let rest = line.dropFirst(name.count)
        let label = "service=\"\(service)\""
        if rest.hasPrefix("{}") { return name + "{" + label + "}" + rest.dropFirst(2) }
        if rest.hasPrefix("{") { return name + "{" + label + "," + rest.dropFirst() }
        return name + "{" + label + "}" + rest
    }
}
