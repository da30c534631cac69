@testable import EcoCLI
import Foundation
import Testing

/// `bench http` prints, under each route, the CPU each process spent per request.
@Suite("CPU per request by process, as bench http prints it")
struct CPUByProcessTests {
    @Test("per request in ms, the largest first, the total of all, and processes under 0.01 ms left out")
    func summary() {
        let cpu = CPUByProcess(secondsByProcess: ["matcher-0": 1.5, "gateway": 3.0, "forwarder": 0.008])
        #expect(cpu.perRequestSummary(requests: 1000) == "4.51 ms in all: gateway 3.00, matcher-0 1.50")
        #expect(cpu.perRequestSummary(requests: 0) == "no requests")
    }

    @Test("the CPU a process spends while the body runs is counted; a process that is gone is left out")
    func measuresWhileTheBodyRuns() throws {
        let me = getpid()
        let gone = Int32.max
        let (sum, cpu) = CPUByProcess.measure(["bench": me, "gone": gone]) { () -> Double in
            // Work until this process has used 50 ms of CPU more than at the start.
            let start = ProcessCPU.seconds(of: me) ?? 0
            var total = 0.0, i = 0.0
            while (ProcessCPU.seconds(of: me) ?? 0) - start < 0.05 {
                for _ in 0..<100_000 { i += 1; total += i.squareRoot() }
            }
            return total
        }
        #expect(sum > 0)
        let spent = try #require(cpu.secondsByProcess["bench"])
        #expect(spent >= 0.05)
        #expect(cpu.secondsByProcess["gone"] == nil)
    }
}
