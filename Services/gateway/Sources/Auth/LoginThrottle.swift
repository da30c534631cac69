import Foundation
import Synchronization

/// Slows down password guessing: after `maximumFailures` failed sign-ins for one email within
/// `window`, further attempts get 429 until the window has passed. Kept in memory: a restart
/// forgets it, which costs an attacker a restart of the gateway, not a bypass.
public final class LoginThrottle: Sendable {
    public let maximumFailures: Int
    public let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(maximumFailures: Int = 10, window: TimeInterval = 15 * 60) {
        self.maximumFailures = maximumFailures
        self.window = window
    }

    /// Seconds to wait before trying again, or nil when an attempt is allowed.
    public func retryAfter(_ email: String, now: Date = Date()) -> TimeInterval? {
        failures.withLock { failures in
            let recent = (failures[email.lowercased()] ?? []).filter { now.timeIntervalSince($0) < window }
            failures[email.lowercased()] = recent.isEmpty ? nil : recent
            guard recent.count >= maximumFailures, let oldest = recent.first else { return nil }
            return window - now.timeIntervalSince(oldest)
        }
    }

    public func recordFailure(_ email: String, now: Date = Date()) {
        failures.withLock { failures in
            var recent = (failures[email.lowercased()] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            // Keep memory bounded per email and overall.
            failures[email.lowercased()] = Array(recent.suffix(maximumFailures))
            if failures.count > 100_000 { failures.removeAll() }
        }
    }

    public func recordSuccess(_ email: String) {
        _ = failures.withLock { $0.removeValue(forKey: email.lowercased()) }
    }
}
