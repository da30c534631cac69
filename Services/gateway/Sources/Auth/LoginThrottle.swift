import Foundation
import Synchronization

/// Slows down password guessing without handing anyone a way to lock a person out.
///
/// Two limits, both kept in memory (a restart forgets them, which costs a guesser a restart of
/// the gateway, not a bypass):
/// - per (account, client address): the first `freeFailures` wrong passwords cost nothing, then
///   each one doubles the wait before the next try, from `firstDelay` up to `longestDelay`;
/// - per account, from every address together: after `accountFailures` wrong passwords within
///   `window`, sign-in is refused, except from an address that already signed in to the account
///   successfully, so that a stranger who knows a merchant's email cannot shut the counter out.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        public var freeFailures = 3
        public var firstDelay: TimeInterval = 1
        public var longestDelay: TimeInterval = 15 * 60
        public var accountFailures = 50
        public var window: TimeInterval = 15 * 60
        /// How long an address that signed in stays trusted for its account.
        public var trustedFor: TimeInterval = 30 * 24 * 3600

        public init() {}
    }

    private struct PairState {
        var failures = 0
        var last = Date.distantPast
    }

    private struct State {
        var pairs: [String: PairState] = [:]
        var accountFailures: [String: [Date]] = [:]
        var trusted: [String: [String: Date]] = [:]
    }

    public let policy: Policy
    private let state = Mutex(State())
    /// Entries kept per table before the oldest are dropped, so memory stays bounded.
    private static let capacity = 100_000

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Seconds to wait before trying again, or nil when an attempt is allowed.
    public func retryAfter(account: String, client: String, now: Date = Date()) -> TimeInterval? {
        let account = account.lowercased()
        return state.withLock { state in
            if let pair = state.pairs[Self.pairKey(account, client)], let delay = delay(after: pair.failures) {
                let wait = pair.last.addingTimeInterval(delay).timeIntervalSince(now)
                if wait > 0 { return wait }
            }
            if let since = state.trusted[account]?[client], now.timeIntervalSince(since) < policy.trustedFor { return nil }
            let recent = (state.accountFailures[account] ?? []).filter { now.timeIntervalSince($0) < policy.window }
            state.accountFailures[account] = recent.isEmpty ? nil : recent
            guard recent.count >= policy.accountFailures, let oldest = recent.first else { return nil }
            return policy.window - now.timeIntervalSince(oldest)
        }
    }

    public func recordFailure(account: String, client: String, now: Date = Date()) {
        let account = account.lowercased()
        state.withLock { state in
            let key = Self.pairKey(account, client)
            var pair = state.pairs[key] ?? PairState()
            // A pair that has been quiet for a whole window starts over.
            if now.timeIntervalSince(pair.last) > policy.longestDelay + policy.window { pair = PairState() }
            pair.failures += 1
            pair.last = now
            if state.pairs.count >= Self.capacity { state.pairs.removeAll() }
            state.pairs[key] = pair
            var recent = (state.accountFailures[account] ?? []).filter { now.timeIntervalSince($0) < policy.window }
            recent.append(now)
            if state.accountFailures.count >= Self.capacity { state.accountFailures.removeAll() }
            state.accountFailures[account] = Array(recent.suffix(policy.accountFailures))
        }
    }

    /// Forgets the pair's failures and trusts the address for the account from now on.
    public func recordSuccess(account: String, client: String, now: Date = Date()) {
        let account = account.lowercased()
        state.withLock { state in
            state.pairs.removeValue(forKey: Self.pairKey(account, client))
            var addresses = (state.trusted[account] ?? [:]).filter { now.timeIntervalSince($0.value) < policy.trustedFor }
            addresses[client] = now
            if addresses.count > 20, let oldest = addresses.min(by: { $0.value < $1.value }) { addresses.removeValue(forKey: oldest.key) }
            if state.trusted.count >= Self.capacity { state.trusted.removeAll() }
            state.trusted[account] = addresses
        }
    }

    /// The wait after `failures` wrong passwords in a row from one address, or nil while free.
    private func delay(after failures: Int) -> TimeInterval? {
        guard failures >= policy.freeFailures else { return nil }
        let doublings = min(failures - policy.freeFailures, 30)
        return min(policy.longestDelay, policy.firstDelay * pow(2, Double(doublings)))
    }

    private static func pairKey(_ account: String, _ client: String) -> String { "\(account)\u{0}\(client)" }
}
