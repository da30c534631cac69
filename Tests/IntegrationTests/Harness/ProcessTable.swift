import Foundation

/// Finds processes by their command line in /proc, e.g. the children `ecoresupply up` started.
enum ProcessTable {
    struct Entry: Equatable {
        let pid: Int32
        let arguments: [String]
    }

    /// Processes whose arguments contain every one of `needles`.
    static func find(containing needles: [String]) -> [Entry] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> Entry? in
            guard let pid = Int32(name),
                  let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !data.isEmpty
            else { return nil }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard needles.allSatisfy({ needle in arguments.contains { $0.contains(needle) } }) else { return nil }
            return Entry(pid: pid, arguments: arguments)
        }
    }

    /// Whether a process is alive and not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state letter follows the parenthesised command name.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
}
