import Synchronization
import Testing
@testable import MatcherService

@Suite("OneAtATimePerKey: commands with one id are decided one after the other")
struct OneAtATimePerKeyTests {
    /// How many operations of each key are running, and the most seen at once.
    final class Overlap: Sendable {
        let state = Mutex<(running: [String: Int], most: [String: Int], entered: Int)>(([:], [:], 0))
        func enter(_ key: String) {
            state.withLock { state in
                state.entered += 1
                state.running[key, default: 0] += 1
                state.most[key] = max(state.most[key] ?? 0, state.running[key]!)
            }
        }
        func leave(_ key: String) { state.withLock { $0.running[key, default: 0] -= 1 } }
        var most: [String: Int] { state.withLock { $0.most } }
        var entered: Int { state.withLock { $0.entered } }
    }

    @Test("50 operations on one key never overlap, beside 50 on keys of their own; every key is given back")
    func serialises() async throws {
        let queue = OneAtATimePerKey()
        let overlap = Overlap()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                let key = index.isMultiple(of: 2) ? "same" : "key-\(index)"
                group.addTask {
                    try await queue.run(key) {
                        overlap.enter(key)
                        // Give the other operations every chance to start meanwhile.
                        for _ in 0..<20 { await Task.yield() }
                        overlap.leave(key)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(overlap.most["same"] == 1, "\(overlap.most["same"] ?? 0) operations on one key ran at once")
        #expect(overlap.most.count == 51)
        #expect(overlap.entered == 100)
        #expect(await queue.keysInUse == 0)
    }

    @Test("an operation that throws gives its key back")
    func throwingReleases() async throws {
        struct Refused: Error {}
        let queue = OneAtATimePerKey()
        await #expect(throws: Refused.self) { try await queue.run("k") { throw Refused() } }
        #expect(try await queue.run("k") { 7 } == 7)
        #expect(await queue.keysInUse == 0)
    }
}
