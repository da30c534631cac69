/// Runs the operations given the same key one after the other, and operations on different keys
/// side by side. The reservation handlers use it per reservation id, so that the same command sent
/// many times at once (a client retrying, a gateway re-sending) is decided once: the first makes
/// the reservation, and the others find it made.
actor OneAtATimePerKey {
    /// The callers waiting for each key that is in use, in arrival order.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(_ key: String, _ operation: @Sendable () async throws -> T) async throws -> T {
        await acquire(key)
        defer { release(key) }
        return try await operation()
    }

    /// How many keys are in use, for tests.
    var keysInUse: Int { waiting.count }

    private func acquire(_ key: String) async {
        guard waiting[key] != nil else {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    private func release(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue
        next.resume()
    }
}
