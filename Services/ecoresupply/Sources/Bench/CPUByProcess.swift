import Foundation

/// The CPU each of a deployment's processes spent during one measured run, per request: where a
/// route's time goes when the machine, not one queue, is the limit.
struct CPUByProcess {
    let secondsByProcess: [String: Double]

    /// CPU seconds of every process in `pids` while `body` runs.
    static func measure<T>(_ pids: [String: Int32], _ body: () throws -> T) rethrows -> (T, CPUByProcess) {
        let before = pids.compactMapValues(ProcessCPU.seconds(of:))
        let result = try body()
        var spent: [String: Double] = [:]
        for (name, pid) in pids {
            guard let start = before[name], let end = ProcessCPU.seconds(of: pid) else { continue }
            spent[name] = end - start
        }
        return (result, CPUByProcess(secondsByProcess: spent))
    }

    /// "gateway 1.20, matcher-0 0.61, …" in ms of CPU per request, the largest first; processes
    /// under 0.01 ms per request are left out.
    func perRequestSummary(requests: Int) -> String {
        guard requests > 0 else { return "no requests" }
        let perRequest = secondsByProcess.mapValues { $0 * 1000 / Double(requests) }
        let total = perRequest.values.reduce(0, +)
        let parts = perRequest.filter { $0.value >= 0.01 }.sorted { $0.value > $1.value }
            .map { String(format: "%@ %.2f", $0.key, $0.value) }
        return String(format: "%.2f ms in all: ", total) + parts.joined(separator: ", ")
    }
}
