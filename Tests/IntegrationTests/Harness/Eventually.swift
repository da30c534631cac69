import Foundation

/// Why a condition awaited by a test never held.
struct ConditionTimeout: Error, CustomStringConvertible {
    let what: String
    let last: String
    var description: String { "timed out waiting for \(what) (last seen: \(last))" }
}

/// Awaits a condition: checks it every `interval` until it holds or `timeout` passes.
/// `check` returns nil while the condition does not hold yet; an error it throws counts as "not yet"
/// (a service still starting), except a `HarnessError`, which fails at once.
func eventually<T>(
    _ what: String,
    timeout: Duration = .seconds(30),
    interval: Duration = .milliseconds(50),
    _ check: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var last = "nothing"
    while true {
        do {
            if let value = try await check() { return value }
        } catch let error as HarnessError {
            throw error
        } catch {
            last = "\(error)"
        }
        guard ContinuousClock.now < deadline else { throw ConditionTimeout(what: what, last: last) }
        try await Task.sleep(for: interval)
    }
}
