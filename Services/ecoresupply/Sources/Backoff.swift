/// Restart delays for a process that keeps dying: doubling from `initial` up to `maximum`, and back
/// to `initial` once the process has stayed up for `resetAfter`.
struct Backoff: Sendable, Equatable {
    var initial: Duration = .milliseconds(500)
    var maximum: Duration = .seconds(30)
    var resetAfter: Duration = .seconds(30)
    private(set) var current: Duration?

    init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), resetAfter: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter
    }

    /// The delay before the next restart of a process that ran for `uptime`.
    mutating func next(afterUptime uptime: Duration) -> Duration {
        let delay: Duration
        if let current, uptime < resetAfter {
            delay = min(current * 2, maximum)
        } else {
            delay = initial
        }
        current = delay
        return delay
    }
}
