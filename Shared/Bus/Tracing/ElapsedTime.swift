import Foundation

extension ContinuousClock.Instant {
    /// The milliseconds from this instant to now, with one decimal: the `duration.ms` of the access
    /// line and of the bus request lines.
    public var millisecondsToNow: String {
        let elapsed = duration(to: .now).components
        return String(format: "%.1f", Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
    }
}
