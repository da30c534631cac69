import Foundation
import GatewayService
import Testing

@Suite("LoginThrottle: growing delays per (account, address), a softer limit per account that spares known addresses")
struct LoginThrottleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the first wrong passwords are free, then each doubles the wait, up to the longest")
    func growingDelays() {
        let throttle = LoginThrottle()
        for _ in 0..<3 {
            #expect(throttle.retryAfter(account: "shop@example.org", client: "198.51.100.7", now: start) == nil)
            throttle.recordFailure(account: "shop@example.org", client: "198.51.100.7", now: start)
        }
        #expect(throttle.retryAfter(account: "shop@example.org", client: "198.51.100.7", now: start) == 1)
        #expect(throttle.retryAfter(account: "shop@example.org", client: "198.51.100.7", now: start.addingTimeInterval(1)) == nil)
        throttle.recordFailure(account: "shop@example.org", client: "198.51.100.7", now: start.addingTimeInterval(1))
        #expect(throttle.retryAfter(account: "shop@example.org", client: "198.51.100.7", now: start.addingTimeInterval(1)) == 2)
        var now = start.addingTimeInterval(1)
        for _ in 0..<20 {
            now = now.addingTimeInterval(15 * 60)
            throttle.recordFailure(account: "SHOP@example.org", client: "198.51.100.7", now: now)
        }
        let longest = throttle.retryAfter(account: "shop@example.org", client: "198.51.100.7", now: now) ?? 0
        #expect(abs(longest - 15 * 60) < 0.001, "the wait stops growing: \(longest)")
        // The same account from another address, and another account from this one, are not slowed.
        #expect(throttle.retryAfter(account: "shop@example.org", client: "203.0.113.9", now: now) == nil)
        #expect(throttle.retryAfter(account: "other@example.org", client: "198.51.100.7", now: now) == nil)
    }

    @Test("the right password from the address clears its failures")
    func successClears() {
        let throttle = LoginThrottle()
        for _ in 0..<5 { throttle.recordFailure(account: "a@example.org", client: "x", now: start) }
        #expect(throttle.retryAfter(account: "a@example.org", client: "x", now: start) != nil)
        throttle.recordSuccess(account: "a@example.org", client: "x", now: start)
        #expect(throttle.retryAfter(account: "a@example.org", client: "x", now: start) == nil)
    }

    @Test("guesses spread over many addresses hit the account's limit, which never blocks an address that signed in before")
    func accountLimitSparesKnownClients() {
        var policy = LoginThrottle.Policy()
        policy.accountFailures = 10
        let throttle = LoginThrottle(policy: policy)
        throttle.recordSuccess(account: "shop@example.org", client: "counter", now: start)
        for attacker in 0..<10 { throttle.recordFailure(account: "shop@example.org", client: "attacker-\(attacker)", now: start) }
        let wait = throttle.retryAfter(account: "shop@example.org", client: "a-new-address", now: start.addingTimeInterval(60))
        #expect(abs((wait ?? 0) - 14 * 60) < 0.001, "a new address waits until the window has passed: \(String(describing: wait))")
        #expect(throttle.retryAfter(account: "shop@example.org", client: "counter", now: start.addingTimeInterval(60)) == nil)
        #expect(throttle.retryAfter(account: "shop@example.org", client: "a-new-address", now: start.addingTimeInterval(15 * 60)) == nil)
    }
}
