@testable import EcoCLI
import Testing

@Suite("Backoff: restart delays of a process that keeps dying")
struct BackoffTests {
    @Test("the first restart waits `initial`")
    func firstDelay() {
        var backoff = Backoff()
        #expect(backoff.current == nil)
        #expect(backoff.next(afterUptime: .zero) == .milliseconds(500))
        #expect(backoff.current == .milliseconds(500))
    }

    @Test("each quick death doubles the delay")
    func doubling() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(60), resetAfter: .seconds(10))
        let delays = (0..<6).map { _ in backoff.next(afterUptime: .seconds(1)) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200)])
    }

    @Test("the delay never exceeds `maximum`")
    func cappedAtMaximum() {
        var backoff = Backoff(initial: .seconds(10), maximum: .seconds(30), resetAfter: .seconds(60))
        let delays = (0..<5).map { _ in backoff.next(afterUptime: .zero) }
        #expect(delays == [.seconds(10), .seconds(20), .seconds(30), .seconds(30), .seconds(30)])
        var defaults = Backoff()
        let last = (0..<20).map { _ in defaults.next(afterUptime: .zero) }.last
        #expect(last == .seconds(30))
    }

    @Test("staying up for `resetAfter` brings the delay back to `initial`")
    func resetAfterUptime() {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30), resetAfter: .seconds(30))
        for _ in 0..<4 { _ = backoff.next(afterUptime: .seconds(1)) }
        #expect(backoff.current == .seconds(4))
        #expect(backoff.next(afterUptime: .seconds(29)) == .seconds(8), "just short of resetAfter still doubles")
        #expect(backoff.next(afterUptime: .seconds(30)) == .milliseconds(500), "exactly resetAfter resets")
        #expect(backoff.next(afterUptime: .zero) == .seconds(1), "and doubling starts over")
        #expect(backoff.next(afterUptime: .seconds(3600)) == .milliseconds(500))
    }
}
