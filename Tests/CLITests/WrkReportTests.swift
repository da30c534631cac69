@testable import EcoCLI
import Testing

/// `bench http` reads wrk's report; a wrong reading would print wrong figures.
@Suite("wrk's report, as bench http reads it")
struct WrkReportTests {
    static let sample = """
        Running 2s test @ http://127.0.0.1:18081/hello
          2 threads and 32 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     6.12ms    2.41ms  31.02ms   80.12%
            Req/Sec     2.63k   312.45     3.10k    70.00%
          Latency Distribution
             50%  812.00us
             75%    7.01ms
             90%    8.90ms
             99%    1.42s
          10486 requests in 2.01s, 1.01MB read
          Socket errors: connect 0, read 2, write 0, timeout 3
          Non-2xx or 3xx responses: 141
        Requests/sec:   5224.37
        Transfer/sec:    513.27KB
        """

    @Test("rate, percentiles in any unit, requests, and failures (non-2xx plus socket errors)")
    func parses() throws {
        let result = try #require(Wrk.parse(Self.sample))
        #expect(result.requestsPerSecond == 5224.37)
        #expect(abs(result.p50Milliseconds - 0.812) < 1e-9)
        #expect(result.p99Milliseconds == 1420)
        #expect(result.requests == 10486)
        #expect(result.failures == 146)
    }

    @Test("a report without the latency distribution is not read as figures")
    func refusesIncomplete() {
        #expect(Wrk.parse("Requests/sec: 10\n") == nil)
        #expect(Wrk.milliseconds("12") == nil)
    }
}
