import EcoBus
import EcoModel
import Foundation
import GRDB
import ServiceLifecycle
import Synchronization

/// Wakes every open report stream when a report event reaches the gateway, so a stream reads on at
/// once instead of polling. A wake carries no event: streams read the events themselves from
/// ingest's outbox, in order, so a lost or repeated wake-up costs nothing.
public final class ReportStreamSignal: Sendable {
    /// Why a stream woke: a report event arrived, or its keep-alive period passed.
    public enum Wake: Sendable { case event, keepAlive }

    private let subscribers = Mutex<(open: [UUID: AsyncStream<Wake>.Continuation], closed: Bool)>(([:], false))

    public init() {}

    /// One stream's wake-ups; `end` it when the stream closes.
    public struct Subscription: Sendable {
        public let id: UUID
        public let wakes: AsyncStream<Wake>
    }

    /// Wake-ups that also tick every `keepAlive`, until `end(_:)`.
    public func subscribe(keepAlive: Duration) -> Subscription {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                continuation.yield(.keepAlive)
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticker.cancel()
            _ = self?.subscribers.withLock { $0.open.removeValue(forKey: id) }
        }
        let closed = subscribers.withLock { state in
            if !state.closed { state.open[id] = continuation }
            return state.closed
        }
        if closed { continuation.finish() }
        return Subscription(id: id, wakes: stream)
    }

    public func end(_ subscription: Subscription) {
        subscribers.withLock { $0.open.removeValue(forKey: subscription.id) }?.finish()
    }

    /// Ends every stream, and any opened later: the gateway is shutting down, and open streams
    /// would otherwise keep its HTTP server waiting. Clients reconnect elsewhere with `Last-Event-ID`.
    public func closeAll() {
        let open = subscribers.withLock { state in
            state.closed = true
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for continuation in open { continuation.finish() }
    }

    public var subscriberCount: Int { subscribers.withLock { $0.open.count } }

    public func signal() {
        for continuation in subscribers.withLock({ Array($0.open.values) }) { continuation.yield(.event) }
    }
}

/// Rings the signal for every report event the gateway's consumer applies.
public struct ReportStreamWakeup: EventHandler {
    let signal: ReportStreamSignal
    public init(signal: ReportStreamSignal) { self.signal = signal }
    public var topicPrefixes: [String] { ["report."] }
    public func apply(_ event: ReceivedEvent, in db: Database) throws { signal.signal() }
}

/// Closes the open report streams when graceful shutdown begins. Listed after the HTTP server, it
/// is shut down before it (a service group stops its services in reverse order).
public struct ReportStreamCloser: Service {
    let signal: ReportStreamSignal
    public init(signal: ReportStreamSignal) { self.signal = signal }
    public func run() async throws {
        try? await gracefulShutdown()
        signal.closeAll()
    }
}
