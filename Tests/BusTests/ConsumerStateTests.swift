import EcoBus
import Foundation
import Testing

private struct Listing: Codable, Sendable, Equatable {
    var title: String
}

private struct NotAnEvent: Error {
    let message: InboundMessage
}

/// A `ReceivedEvent` built the way the bus builds one: a real CloudEvent encoded with the bus
/// encoder and decoded from the two wire frames.
private func received(_ source: String, _ sequence: Int64, topic: String = "listing.published") throws -> ReceivedEvent {
    let event = CloudEvent(source: source, type: topic, sequence: sequence, data: Listing(title: "\(source) #\(sequence)"))
    let payload = try EventCodec.encoder.encode(event)
    let message = InboundMessage.decode([Data(topic.utf8), payload])
    guard case .event(let decoded) = message else { throw NotAnEvent(message: message) }
    return decoded
}

private func heartbeat(latest: Int64, endpoint: String = "tcp://127.0.0.1:7703", service: String = "ingest") -> Heartbeat {
    Heartbeat(latest: latest, replay: endpoint, service: service)
}

@Suite("ConsumerState: ordering, deduplication and gaps")
struct ConsumerStateTests {
    let producer = "ingest"
    let endpoint = "tcp://127.0.0.1:7703"

    @Test("events arriving in order are released one by one, in order")
    func inOrderRelease() throws {
        var state = ConsumerState()
        for sequence in Int64(1)...3 {
            let (ready, duplicates) = state.accept(try received(producer, sequence))
            #expect(ready.map(\.sequence) == [sequence])
            #expect(duplicates == 0)
        }
        let entry = try #require(state.producers[producer])
        #expect(entry.expected == 4)
        #expect(entry.latestKnown == 3)
        #expect(entry.needsReplay == false)
        #expect(entry.bufferedCount == 0)
        // The released events keep their exact bytes and decode into their data type.
        let (ready, _) = state.accept(try received(producer, 4))
        #expect(try ready.first?.decodeData(Listing.self) == Listing(title: "ingest #4"))
    }

    @Test("an event already released, or already buffered, is counted as a duplicate")
    func duplicatesCounted() throws {
        var state = ConsumerState()
        _ = state.accept(try received(producer, 1))
        _ = state.accept(try received(producer, 2))

        let again = state.accept(try received(producer, 1))
        #expect(again.ready.isEmpty)
        #expect(again.duplicates == 1)

        let buffered = state.accept(try received(producer, 5))
        #expect(buffered.ready.isEmpty)
        #expect(buffered.duplicates == 0)
        let bufferedAgain = state.accept(try received(producer, 5))
        #expect(bufferedAgain.ready.isEmpty)
        #expect(bufferedAgain.duplicates == 1)
        #expect(state.producers[producer]?.bufferedCount == 1)
        #expect(state.producers[producer]?.expected == 3)
    }

    @Test("events ahead of the expected one wait, and are released in order once the gap fills")
    func outOfOrderBufferedThenReleased() throws {
        var state = ConsumerState()
        for sequence: Int64 in [3, 2, 5] {
            let (ready, duplicates) = state.accept(try received(producer, sequence))
            #expect(ready.isEmpty)
            #expect(duplicates == 0)
        }
        #expect(state.producers[producer]?.bufferedCount == 3)
        #expect(state.producers[producer]?.expected == 1)

        let filled = state.accept(try received(producer, 1))
        #expect(filled.ready.map(\.sequence) == [1, 2, 3])
        #expect(state.producers[producer]?.expected == 4)
        #expect(state.producers[producer]?.bufferedCount == 1, "5 still waits for 4")

        let rest = state.accept(try received(producer, 4))
        #expect(rest.ready.map(\.sequence) == [4, 5])
        #expect(state.producers[producer]?.bufferedCount == 0)
        #expect(state.producers[producer]?.expected == 6)
    }

    @Test("producers are ordered independently of each other")
    func producersIndependent() throws {
        var state = ConsumerState()
        #expect(state.accept(try received("ingest", 2)).ready.isEmpty)
        #expect(state.accept(try received("matcher-0", 1)).ready.map(\.source) == ["matcher-0"])
        #expect(state.accept(try received("ingest", 1)).ready.map(\.sequence) == [1, 2])
    }

    @Test("a gap marks the producer for replay; one ask from `expected`, none while it is in flight")
    func gapAsksForReplayOnce() throws {
        var state = ConsumerState()
        // Learn the endpoint from a heartbeat that does not show the consumer behind.
        state.heartbeat(from: producer, heartbeat(latest: 0, endpoint: endpoint))
        #expect(state.producers[producer]?.needsReplay == false)
        #expect(state.takeReplayAsks().isEmpty)

        _ = state.accept(try received(producer, 1))
        _ = state.accept(try received(producer, 4))
        #expect(state.producers[producer]?.needsReplay == true)

        let asks = state.takeReplayAsks()
        #expect(asks.count == 1)
        #expect(asks.first?.producer == producer)
        #expect(asks.first?.endpoint == endpoint)
        #expect(asks.first?.from == 2)
        #expect(state.producers[producer]?.replayInFlight == true)

        // Another gap while the replay is in flight: no second ask.
        _ = state.accept(try received(producer, 6))
        #expect(state.takeReplayAsks().isEmpty)

        // The replay brings 2 and 3; finishing it clears the flight, and a fresh ask is possible
        // for what is still missing (5).
        #expect(state.accept(try received(producer, 2)).ready.map(\.sequence) == [2])
        #expect(state.accept(try received(producer, 3)).ready.map(\.sequence) == [3, 4])
        #expect(state.replayFinished(producer: producer, through: 4, latest: 6).skipped == 0)
        #expect(state.producers[producer]?.replayInFlight == false)
        let next = state.takeReplayAsks()
        #expect(next.map(\.from) == [5])
    }

    @Test("a gap without a known endpoint asks nothing until the endpoint is known")
    func gapWithoutEndpoint() throws {
        var state = ConsumerState()
        _ = state.accept(try received(producer, 2))
        #expect(state.producers[producer]?.needsReplay == true)
        #expect(state.takeReplayAsks().isEmpty)
        #expect(state.producers[producer]?.needsReplay == true, "still wanted once the endpoint is known")

        state.heartbeat(from: producer, heartbeat(latest: 2, endpoint: endpoint))
        #expect(state.takeReplayAsks().map(\.from) == [1])
    }

    @Test("a failed replay can be asked again")
    func replayFailedAllowsNewAsk() throws {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 3, endpoint: endpoint, service: "ingest", latest: 5)
        #expect(state.takeReplayAsks().map(\.from) == [4])
        state.replayFailed(producer: producer)
        #expect(state.producers[producer]?.replayInFlight == false)
        // The next heartbeat (the first one seen) shows the consumer behind and asks again.
        state.heartbeat(from: producer, heartbeat(latest: 5, endpoint: endpoint))
        #expect(state.takeReplayAsks().map(\.from) == [4])
    }

    @Test("a heartbeat showing the consumer behind asks for replay on the first heartbeat")
    func firstHeartbeatBehindAsks() {
        var state = ConsumerState()
        state.heartbeat(from: producer, heartbeat(latest: 5, endpoint: endpoint))
        let entry = state.producers[producer]
        #expect(entry?.needsReplay == true)
        #expect(entry?.latestKnown == 5)
        #expect(entry?.lag == 5)
        #expect(entry?.expectedAtLastHeartbeat == 1)
        #expect(state.takeReplayAsks().map(\.from) == [1])
    }

    @Test("a heartbeat that does not show the consumer behind asks for nothing")
    func heartbeatUpToDate() throws {
        var state = ConsumerState()
        _ = state.accept(try received(producer, 1))
        _ = state.accept(try received(producer, 2))
        state.heartbeat(from: producer, heartbeat(latest: 2, endpoint: endpoint))
        #expect(state.producers[producer]?.needsReplay == false)
        #expect(state.takeReplayAsks().isEmpty)
    }

    @Test("a later heartbeat showing the consumer behind asks again only when no progress was made since the previous one")
    func laterHeartbeatOnlyWithoutProgress() throws {
        var state = ConsumerState()
        state.heartbeat(from: producer, heartbeat(latest: 5, endpoint: endpoint))
        #expect(state.takeReplayAsks().map(\.from) == [1])
        state.replayFailed(producer: producer)

        // Progress (1 released) since the previous heartbeat: live events are still flowing, no ask.
        #expect(state.accept(try received(producer, 1)).ready.count == 1)
        state.heartbeat(from: producer, heartbeat(latest: 6, endpoint: endpoint))
        #expect(state.producers[producer]?.needsReplay == false)
        #expect(state.takeReplayAsks().isEmpty)

        // No progress since that heartbeat while still behind: ask from `expected`.
        state.heartbeat(from: producer, heartbeat(latest: 6, endpoint: endpoint))
        #expect(state.producers[producer]?.needsReplay == true)
        #expect(state.takeReplayAsks().map(\.from) == [2])
    }

    @Test("heartbeat reports whether the endpoint or service changed")
    func heartbeatReportsChange() {
        var state = ConsumerState()
        #expect(state.heartbeat(from: producer, heartbeat(latest: 0, endpoint: endpoint)) == true)
        #expect(state.heartbeat(from: producer, heartbeat(latest: 0, endpoint: endpoint)) == false)
        #expect(state.heartbeat(from: producer, heartbeat(latest: 0, endpoint: "tcp://127.0.0.1:9999")) == true)
        #expect(state.heartbeat(from: producer, heartbeat(latest: 0, endpoint: "tcp://127.0.0.1:9999", service: "other")) == true)
        #expect(state.producers[producer]?.endpoint == "tcp://127.0.0.1:9999")
        #expect(state.producers[producer]?.service == "other")
    }

    @Test("committed moves `applied` up to what was released")
    func committedMovesApplied() throws {
        var state = ConsumerState()
        _ = state.accept(try received(producer, 1))
        _ = state.accept(try received(producer, 2))
        #expect(state.producers[producer]?.applied == 0)
        state.committed()
        #expect(state.producers[producer]?.applied == 2)
        #expect(state.lag == [producer: 0])
    }

    @Test("rolledBack resets `expected` to applied + 1, drops the buffer and asks for replay")
    func rolledBackResets() throws {
        var state = ConsumerState()
        state.heartbeat(from: producer, heartbeat(latest: 0, endpoint: endpoint))
        _ = state.accept(try received(producer, 1))
        _ = state.accept(try received(producer, 2))
        _ = state.accept(try received("matcher-0", 1))
        state.committed()
        // Released but not committed: 3 and 4; buffered: 7.
        #expect(state.accept(try received(producer, 3)).ready.count == 1)
        #expect(state.accept(try received(producer, 4)).ready.count == 1)
        _ = state.accept(try received(producer, 7))
        #expect(state.takeReplayAsks().map(\.from) == [5])
        state.replayFailed(producer: producer)
        #expect(state.producers[producer]?.needsReplay == false)
        #expect(state.producers[producer]?.expected == 5)

        state.rolledBack()
        let entry = try #require(state.producers[producer])
        #expect(entry.applied == 2)
        #expect(entry.expected == 3)
        #expect(entry.bufferedCount == 0)
        #expect(entry.needsReplay == true)
        // A producer with nothing uncommitted is left alone.
        #expect(state.producers["matcher-0"]?.expected == 2)
        #expect(state.producers["matcher-0"]?.needsReplay == false)
        #expect(state.takeReplayAsks().map(\.from) == [3])

        // What was rolled back is released again when it comes back.
        #expect(state.accept(try received(producer, 3)).ready.map(\.sequence) == [3])
    }

    @Test("rolledBack after a batch that was never committed goes back to applied + 1")
    func rolledBackFromRestore() throws {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 10, endpoint: endpoint, service: "ingest", latest: 12)
        _ = state.takeReplayAsks()
        state.replayFailed(producer: producer)
        #expect(state.accept(try received(producer, 11)).ready.count == 1)
        #expect(state.accept(try received(producer, 12)).ready.count == 1)
        state.rolledBack()
        #expect(state.producers[producer]?.expected == 11)
        #expect(state.producers[producer]?.applied == 10)
        #expect(state.takeReplayAsks().map(\.from) == [11])
    }

    @Test("replayFinished with `through` beyond what arrived skips the missing sequences and reports how many")
    func replayFinishedReportsSkipped() {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 2, endpoint: endpoint, service: "ingest", latest: 10)
        #expect(state.takeReplayAsks().map(\.from) == [3])

        // The producer scanned 3…6 and sent none of them: they are gone.
        let (released, skipped) = state.replayFinished(producer: producer, through: 6, latest: 10)
        #expect(skipped == 4)
        #expect(released.isEmpty)
        let entry = state.producers[producer]
        #expect(entry?.expected == 7)
        #expect(entry?.replayInFlight == false)
        #expect(entry?.needsReplay == true, "7…10 are still to fetch")
        #expect(state.takeReplayAsks().map(\.from) == [7])
    }

    @Test("replayFinished when the replay covered everything skips nothing and asks nothing more")
    func replayFinishedNothingSkipped() throws {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 0, endpoint: endpoint, service: "ingest", latest: 2)
        _ = state.takeReplayAsks()
        _ = state.accept(try received(producer, 1))
        _ = state.accept(try received(producer, 2))
        #expect(state.replayFinished(producer: producer, through: 2, latest: 2).skipped == 0)
        #expect(state.producers[producer]?.needsReplay == false)
        #expect(state.takeReplayAsks().isEmpty)
        #expect(state.replayFinished(producer: "unknown", through: 5, latest: 5).skipped == 0)
    }

    @Test("replayFinished after a replay from a pruned outbox skips only the sequences the producer no longer has")
    func replayFinishedAfterPrunedPrefix() throws {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 2, endpoint: endpoint, service: "ingest", latest: 8)
        _ = state.takeReplayAsks()
        // The producer's outbox lost 3…6; the replay from 3 returns 7 and 8 with through = 8.
        #expect(state.accept(try received(producer, 7)).ready.isEmpty)
        #expect(state.accept(try received(producer, 8)).ready.isEmpty)
        let (released, skipped) = state.replayFinished(producer: producer, through: 8, latest: 8)
        #expect(skipped == 4, "only 3…6 are gone; 7 and 8 arrived")
        #expect(released.map(\.sequence) == [7, 8], "7 and 8 are released to be applied")
        #expect(state.producers[producer]?.expected == 9)
        #expect(state.producers[producer]?.bufferedCount == 0, "7 and 8 must not stay stranded in the buffer")
    }

    @Test("a replay that brought only duplicates does not chain another while live delivery is ahead")
    func replayOfDuplicatesStopsTheChain() throws {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 0, endpoint: endpoint, service: "ingest", latest: 0)
        #expect(state.takeReplayAsks().map(\.from) == [1])
        // Live delivery gets 1…3 while the replay is in flight.
        for sequence: Int64 in 1...3 { _ = state.accept(try received(producer, sequence)) }
        // The replay brings 1…3 again: all duplicates; the producer is already at 50.
        for sequence: Int64 in 1...3 { #expect(state.accept(try received(producer, sequence)).duplicates == 1) }
        let finished = state.replayFinished(producer: producer, through: 3, latest: 50, broughtNew: false)
        #expect(finished.skipped == 0)
        #expect(state.takeReplayAsks().isEmpty, "live delivery is ahead: no second replay")

        // Catching up on history (the reply brought new events) keeps paging.
        state.restore(producer: "matcher-0", applied: 0, endpoint: endpoint, service: "matcher", latest: 0)
        _ = state.takeReplayAsks()
        for sequence: Int64 in 1...3 { _ = state.accept(try received("matcher-0", sequence)) }
        _ = state.replayFinished(producer: "matcher-0", through: 3, latest: 50, broughtNew: true)
        #expect(state.takeReplayAsks().map(\.from) == [4])
    }

    @Test("restore sets the committed offset, `expected`, endpoint and asks for replay")
    func restoreSetsOffsets() {
        var state = ConsumerState()
        state.restore(producer: producer, applied: 41, endpoint: endpoint, service: "ingest", latest: 40)
        let entry = state.producers[producer]
        #expect(entry?.applied == 41)
        #expect(entry?.expected == 42)
        #expect(entry?.latestKnown == 41, "never below what was applied")
        #expect(entry?.endpoint == endpoint)
        #expect(entry?.service == "ingest")
        #expect(entry?.needsReplay == true)
        #expect(state.takeReplayAsks().map(\.from) == [42])

        // Restoring without an endpoint keeps the one already known.
        state.restore(producer: producer, applied: 50, endpoint: nil, service: nil, latest: 60)
        #expect(state.producers[producer]?.endpoint == endpoint)
        #expect(state.producers[producer]?.expected == 51)
        #expect(state.producers[producer]?.latestKnown == 60)
        #expect(state.lag == [producer: 10])
    }

    @Test("the buffer holds at most `bufferLimit` events ahead of a gap")
    func bufferLimit() throws {
        var state = ConsumerState(bufferLimit: 2)
        for sequence: Int64 in [2, 3, 4] {
            #expect(state.accept(try received(producer, sequence)).ready.isEmpty)
        }
        #expect(state.producers[producer]?.bufferedCount == 2)
        #expect(state.producers[producer]?.latestKnown == 4)
        #expect(state.accept(try received(producer, 1)).ready.map(\.sequence) == [1, 2, 3])
        #expect(state.producers[producer]?.expected == 4)
    }

    @Test("events without a sequence are ignored")
    func unsequencedIgnored() throws {
        var state = ConsumerState()
        let json = Data(#"{"specversion":"1.0","id":"x","source":"ingest","type":"listing.published"}"#.utf8)
        let envelope = try EventCodec.decoder.decode(EventEnvelope.self, from: json)
        let (ready, duplicates) = state.accept(ReceivedEvent(envelope: envelope, payload: json))
        #expect(ready.isEmpty)
        #expect(duplicates == 0)
        #expect(state.producers.isEmpty)
    }
}
