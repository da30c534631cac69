import Foundation
import Synchronization

/// Collects a process's standard output line by line as it is written.
final class OutputLines: Sendable {
    private final class Buffer: Sendable {
        let state = Mutex<(lines: [String], partial: Data)>(([], Data()))
        let closed = Mutex(false)
    }

    let pipe = Pipe()
    private let buffer = Buffer()

    init() {
        let buffer = self.buffer
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                buffer.closed.withLock { $0 = true }
                return
            }
            buffer.state.withLock { state in
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                    state.lines.append(String(decoding: state.partial[state.partial.startIndex..<newline], as: UTF8.self))
                    state.partial.removeSubrange(state.partial.startIndex...newline)
                }
            }
        }
    }

    var lines: [String] { buffer.state.withLock { $0.lines } }

    /// Whether the writing end closed (the process exited and every byte was read).
    var isClosed: Bool { buffer.closed.withLock { $0 } }
}
