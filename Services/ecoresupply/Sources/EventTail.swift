import EcoBus
import EcoConfig
import Foundation
import Logging

/// Subscribes to the forwarder and prints events; with replay it first fetches each producer's
/// history (found through heartbeats) and then continues live without repeating or skipping.
struct EventTail: Sendable {
    let topology: BusTopology
    let prefixes: [String]
    let includeHeartbeats: Bool
    let printer: EventPrinter
    let limit: Int?
    /// CURVE settings on a bus that runs it (the command line's key); nil on plain TCP.
    var curve: BusCurve? = nil
    let logger: Logger

    private var subscriptions: [String] {
        if prefixes.isEmpty { return [""] }
        return prefixes + [Topic.heartbeat]
    }

    private func wanted(_ topic: String) -> Bool {
        if topic == Topic.heartbeat { return includeHeartbeats || prefixes.contains { Topic.heartbeat.hasPrefix($0) && !$0.isEmpty } }
        return prefixes.isEmpty || prefixes.contains { topic.hasPrefix($0) }
    }

    func run(replay: Bool, discovery: Duration) async throws {
        let wake = WakePipe()
        let sink = ConsumerInbox(capacity: 50_000, wake: wake)
        let loop = SocketLoop(
            endpoints: SocketLoopEndpoints(subscribeTo: topology.subscribeEndpoint, subscriptions: subscriptions, curve: curve),
            sink: sink, wake: wake, logger: logger)
        try await loop.start()
        defer { loop.stop() }
        var printed: [String: Int64] = [:]
        var remaining = limit ?? Int.max

        if replay {
            var early: [ConsumerInput] = []
            var producers: [String: Heartbeat] = [:]
            let deadline = ContinuousClock.now + discovery
            while ContinuousClock.now < deadline {
                let batch = await withTimeout(until: deadline) { await sink.inbox.take(max: 1000) }
                for input in batch {
                    if case .live(let frames) = input, case .heartbeat(let source, let heartbeat, _) = InboundMessage.decode(frames) {
                        producers[source] = heartbeat
                    }
                }
                early += batch
            }
            for (producer, heartbeat) in producers.sorted(by: { $0.key < $1.key }) {
                var from: Int64 = 1
                pages: while remaining > 0 {
                    let body = try EventCodec.encoder.encode(ReplayRequest(from: from, prefixes: prefixes.isEmpty ? nil : prefixes))
                    let frames: [Data]
                    do {
                        frames = try await loop.request(heartbeat.replay, kind: BusRequestKind.replay, body: [body], timeout: .seconds(5))
                    } catch {
                        FileHandle.standardError.write(Data("[tail] replay from \(producer) failed: \(error)\n".utf8))
                        break pages
                    }
                    guard let first = frames.first, let reply = try? EventCodec.decoder.decode(ReplayReply.self, from: first) else { break }
                    for payload in frames.dropFirst() {
                        guard remaining > 0 else { break pages }
                        if case .event(let event) = InboundMessage.decodeEvent(payload, expectedType: nil), wanted(event.type) {
                            printer.print(event)
                            printed[producer] = event.sequence
                            remaining -= 1
                        }
                    }
                    printed[producer] = max(printed[producer] ?? 0, reply.through)
                    if reply.through >= reply.latest { break }
                    from = reply.through + 1
                }
            }
            remaining = handle(early, printed: &printed, remaining: remaining)
        }
        while remaining > 0 {
            let batch = await sink.inbox.take(max: 1000)
            if batch.isEmpty { break }
            remaining = handle(batch, printed: &printed, remaining: remaining)
        }
    }

    /// Prints live messages, skipping what replay already printed.
    private func handle(_ inputs: [ConsumerInput], printed: inout [String: Int64], remaining: Int) -> Int {
        var remaining = remaining
        for input in inputs where remaining > 0 {
            guard case .live(let frames) = input else { continue }
            switch InboundMessage.decode(frames) {
            case .event(let event):
                guard wanted(event.type) else { continue }
                if let sequence = event.sequence, let done = printed[event.source], sequence <= done { continue }
                printer.print(event)
                remaining -= 1
            case .heartbeat:
                guard wanted(Topic.heartbeat) else { continue }
                printer.printRaw(frames[1])
                remaining -= 1
            case .invalid(let reason, let frames):
                printer.printInvalid(reason, frames: frames.count)
            }
        }
        return remaining
    }

    private func withTimeout(until deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> [ConsumerInput]) async -> [ConsumerInput] {
        await withTaskGroup(of: [ConsumerInput]?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }
}
