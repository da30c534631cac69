import Foundation

/// How webhooks are sent: the retry back-off, the per-request timeout and how many requests may be
/// in flight at once. Read once in `main` (`--webhook-retry-base`, `--webhook-retry-max`).
public struct WebhookSettings: Sendable, Equatable {
    /// The wait after the first failed attempt, in seconds; it doubles with each further failure.
    public var retryBase: TimeInterval
    /// The longest wait between two attempts, in seconds. Attempts go on at this pace forever.
    public var retryMax: TimeInterval
    /// How long one request may take, connection included.
    public var timeout: TimeInterval
    /// Requests in flight at once, to different endpoints or reports.
    public var concurrency: Int

    public init(retryBase: TimeInterval = 2, retryMax: TimeInterval = 600, timeout: TimeInterval = 10, concurrency: Int = 16) {
        self.retryBase = retryBase
        self.retryMax = retryMax
        self.timeout = timeout
        self.concurrency = concurrency
    }

    /// The wait before the next attempt after `attempts` failed ones (1 or more):
    /// `min(retryMax, retryBase × 2^(attempts − 1))`, so 2 s, 4 s, 8 s … 600 s with the defaults.
    public func delay(afterAttempts attempts: Int) -> TimeInterval {
        let exponent = Double(max(0, attempts - 1))
        return min(retryMax, retryBase * pow(2, min(exponent, 62)))
    }
}
