import CZeroMQ
import Foundation
import EcoBus
import ZeroMQ

/// Raw libzmq PUB/SUB over loopback TCP with the same two-frame messages: the ceiling the bus is
/// compared against. The publisher does not drop (ZMQ_XPUB_NODROP), like the bus's internal links.
enum RawZMQBaseline {
    /// Messages per second from the first send to the last receive.
    /// - Parameter curve: the publisher as a CURVE server with this key pair, the subscriber as a
    ///   client with `curve.client` (a ZAP handler admitting it must run); nil for plain TCP.
    static func throughput(port: Int, messages: Int, topic: Data, payload: Data, curve: BenchCurve? = nil) throws -> Double {
        let endpoint = "tcp://127.0.0.1:\(port)"
        let publisher = try ZMQSocket(.pub)
        try publisher.setOption(ZMQ_SNDHWM, 100_000)
        try publisher.setOption(ZMQ_XPUB_NODROP, 1)
        if let curve { try publisher.makeCurveServer(secretKey: curve.forwarder.secretKey, domain: BusCurve.subscribeDomain) }
        try publisher.bind(endpoint)
        let received = Counter()
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let receiver = Thread {
            do {
                let subscriber = try ZMQSocket(.sub)
                try subscriber.setOption(ZMQ_RCVHWM, 100_000)
                try subscriber.subscribe("")
                if let curve { try subscriber.makeCurveClient(curve.consumer, serverKey: curve.forwarder.publicKey) }
                try subscriber.connect(endpoint)
                // Wait for the subscription to reach the publisher: probes until one arrives.
                while try subscriber.receive(timeoutMilliseconds: 10) == nil {}
                ready.signal()
                var count = 0
                while count < messages {
                    guard let frames = try subscriber.receive() else { continue }
                    if frames.count == 2 { count += 1 }
                }
                received.value = count
            } catch {
                ready.signal()
            }
            done.signal()
        }
        receiver.start()
        // Probe until the subscriber is connected; probes are single-frame and not counted.
        while ready.wait(timeout: .now() + .milliseconds(5)) == .timedOut {
            try publisher.send([Data("probe".utf8)], dontWait: true)
        }
        let start = ContinuousClock.now
        for _ in 0..<messages { try publisher.send([topic, payload]) }
        done.wait()
        let elapsed = start.duration(to: .now)
        return Double(received.value) / elapsed.seconds
    }

    /// A value handed from the receiver thread to the caller after `done` is signalled.
    private final class Counter: @unchecked Sendable {
        // Written by the receiver thread before it signals `done`, read after `done.wait()`:
        // the semaphore orders the two accesses.
        var value = 0
    }
}
