import Foundation
import GatewayService
import Testing

@Suite("Report filing rate limit")
struct FilingRateLimitTests {
    @Test("each client files up to its limit per window; then it is told how long to wait; others are unaffected")
    func limits() {
        let limit = FilingRateLimit(perAccount: 3, perAddress: 2, window: 3600)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(limit.admit(.address("10.0.0.1"), now: start) == nil)
        #expect(limit.admit(.address("10.0.0.1"), now: start.addingTimeInterval(60)) == nil)
        #expect(limit.admit(.address("10.0.0.1"), now: start.addingTimeInterval(120)) == 3480, "the oldest filing leaves the window in 58 min")
        #expect(limit.admit(.address("10.0.0.2"), now: start.addingTimeInterval(120)) == nil, "another address is not affected")
        for minute in 0..<3 { #expect(limit.admit(.account("app"), now: start.addingTimeInterval(Double(minute) * 60)) == nil) }
        #expect(limit.admit(.account("app"), now: start.addingTimeInterval(180)) != nil)
        #expect(limit.admit(.address("10.0.0.1"), now: start.addingTimeInterval(3601)) == nil, "once the first filing is an hour old")
    }
}
