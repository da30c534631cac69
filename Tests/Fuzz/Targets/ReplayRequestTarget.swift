import EcoBus
import EcoModel
import EcoStore
import Foundation
import GRDB
import Synchronization

/// The replay request a producer's ROUTER answers (`bus.replay`), against a real outbox of 40 events.
/// Input: the request's frames separated by 0x1E. The answer is a refusal with `bad_request`, or a
/// reply whose events are in order, within the limit, from the asked sequence on, of the asked prefixes.
enum ReplayRequestTarget {
    /// The target, as `FuzzTargets.all` lists it.
    static let target = FuzzTarget(name: "replay-request", about: "bus.replay request bodies (ReplayServer.answer)") { data in
        let body = data.split(separator: 0x1E, omittingEmptySubsequences: false).map { Data($0) }
        let request = body.first.flatMap { try? EventCodec.decoder.decode(ReplayRequest.self, from: $0) }
        switch answer(body) {
        case .failure(let error):
            FuzzCheck.require((error as? RemoteError)?.code == RemoteError.badRequest("").code, "a refusal is bad_request, not \(error)")
        case .success(let frames):
            guard let request else { return FuzzCheck.require(false, "an unreadable request was answered") }
            check(frames, for: request)
        }
    }

    private static let topics = [ReportChanged.filedTopic, ReportChanged.routedTopic, LotChanged.publishedTopic, ReservationChanged.createdTopic]

    /// The topic the outbox holds at `sequence` (1-based), as `server` filled it.
    private static func topic(of sequence: Int64) -> String { topics[Int(sequence - 1) % topics.count] }

    private static let server: ReplayServer = {
        let queue = try! DatabaseQueue()
        try! DatabaseMigrator.named(BusSchema.migrations).migrate(queue)
        let outbox = Outbox(producer: "ingest")
        try! queue.write { db in
            for index in 0..<40 { try outbox.append(topics[index % topics.count], ["index": index], in: db) }
        }
        return ReplayServer(producer: "ingest", database: queue, stats: nil)
    }()

    /// Runs the async answer to completion from libFuzzer's synchronous callback.
    private static func answer(_ body: [Data]) -> Result<[Data], any Error> {
        let outcome = Mutex<Result<[Data], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<[Data], any Error>
            do { result = .success(try await server.answer(body)) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0! }
    }

    private static func check(_ frames: [Data], for request: ReplayRequest) {
        guard let first = frames.first, let reply = try? EventCodec.decoder.decode(ReplayReply.self, from: first) else {
            return FuzzCheck.require(false, "a reply starts with a ReplayReply")
        }
        FuzzCheck.require(reply.latest == 40, "the reply says the outbox's latest sequence")
        FuzzCheck.require(frames.count - 1 <= ReplayRequest.maximumLimit, "a reply holds at most the maximum limit")
        if let limit = request.limit, limit >= 1 { FuzzCheck.require(frames.count - 1 <= limit, "a reply holds at most the limit asked") }
        // Complete as well as correct: exactly the stored events the request covers.
        let prefixes = request.prefixes ?? []
        let expected = (max(request.from, 1)...max(reply.through, request.from)).filter { sequence in
            sequence <= reply.through && (prefixes.isEmpty || prefixes.contains { topic(of: sequence).hasPrefix($0) })
        }
        FuzzCheck.require(frames.count - 1 == expected.count, "the reply holds every matching event up to through, and only those")
        var previous = request.from - 1
        for payload in frames.dropFirst() {
            guard case .event(let event) = InboundMessage.decodeEvent(payload, expectedType: nil), let sequence = event.sequence else {
                return FuzzCheck.require(false, "a replayed frame is an event")
            }
            FuzzCheck.require(sequence > previous && sequence <= reply.through, "replayed events are in order, within through")
            FuzzCheck.require(prefixes.isEmpty || prefixes.contains { event.type.hasPrefix($0) }, "replayed events match the prefixes")
            previous = sequence
        }
    }
}
