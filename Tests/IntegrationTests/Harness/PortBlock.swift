import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A run of consecutive free loopback TCP ports, so that tests running side by side never share one.
enum PortBlock {
    private static let handedOut = Mutex<Set<Int>>([])

    /// The first port of `count` consecutive ports that are free right now. Chosen below Linux's
    /// ephemeral range (32768 and up), so that no outgoing connection takes one of them meanwhile.
    ///
    /// Blocks handed out are remembered for the whole test run: tests run in parallel in one process,
    /// and two deployments that checked the same free ports before either bound them would collide.
    static func find(count: Int) -> Int {
        for _ in 0..<500 {
            let base = Int.random(in: 20_000...(32_000 - count))
            let block = Set(base..<(base + count))
            let claimed = handedOut.withLock { taken in
                guard taken.isDisjoint(with: block) else { return false }
                taken.formUnion(block)
                return true
            }
            guard claimed else { continue }
            if block.allSatisfy(isFree) { return base }
        }
        fatalError("no block of \(count) free loopback ports found")
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
