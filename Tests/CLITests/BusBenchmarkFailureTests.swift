@testable import EcoCLI
import Foundation
import Glibc
import Logging
import Testing

/// `bench bus` on ports another process holds says so at once, instead of waiting out its warm-up.
@Suite("bench bus: a pipeline part that fails stops the wait and is named")
struct BusBenchmarkFailureTests {
    /// A TCP listener on a free loopback port, held until `close`; its port.
    static func holdPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRINUSE) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("the forwarder's port is taken: start fails within seconds and names the forwarder")
    func portTaken() async throws {
        let held = try Self.holdPort()
        defer { close(held.fd) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-bus-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let benchmark = BusBenchmark(directory: directory, basePort: held.port, fullSync: false, logger: logger)
        let started = ContinuousClock.now
        do {
            let pipeline = try await benchmark.start(name: "taken", capacity: 10)
            pipeline.stop()
            Issue.record("the pipeline started on a port another socket holds")
        } catch let error as BenchError {
            #expect(error.description.contains("the forwarder on tcp://127.0.0.1:\(held.port)"), "\(error)")
            #expect(error.description.contains("--base-port"), "\(error)")
        }
        #expect(started.duration(to: .now) < .seconds(20), "not the 30 s warm-up timeout")
    }
}
