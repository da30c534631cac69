import EcoBus
import EcoRuntime
import Foundation
import Testing

@Suite("MatcherMembership: who a tick names, from the heartbeats heard")
struct MatcherMembershipWindowTests {
    let started = Date(timeIntervalSince1970: 1_795_000_000)

    /// Heartbeats of `worker`, one a second, at each of `seconds` after `started`.
    func beat(_ directory: ProducerDirectory, _ worker: Int, at seconds: some Sequence<Int>) {
        for second in seconds {
            directory.record(
                source: "matcher-\(worker)", Heartbeat(latest: 0, replay: "tcp://127.0.0.1:1", service: "matcher"),
                at: started.addingTimeInterval(TimeInterval(second)))
        }
    }

    func at(_ seconds: Int) -> Date { started.addingTimeInterval(TimeInterval(seconds)) }

    @Test("the workers heard in the first window are members at once; nobody is named before it ends")
    func startup() {
        let directory = ProducerDirectory()
        let membership = MatcherMembership(directory: directory, started: started)
        beat(directory, 0, at: 0...4)
        beat(directory, 1, at: 3...4)
        #expect(membership.alive(now: at(4)) == nil, "still in the first window")
        #expect(membership.alive(now: at(5)) == [0, 1])
    }

    @Test("a worker that joins later is a member once heard unbroken for joinAfter, and heard by readers at once")
    func joiner() {
        let directory = ProducerDirectory()
        let membership = MatcherMembership(directory: directory, started: started)
        beat(directory, 0, at: 0...29)
        beat(directory, 1, at: 20...29)
        #expect(membership.alive(now: at(29)) == [0], "9 s of heartbeats: not yet")
        #expect(membership.heard(now: at(29)) == [0, 1], "lists ask every worker heard")
        beat(directory, 0, at: [30])
        beat(directory, 1, at: [30])
        #expect(membership.alive(now: at(30)) == [0, 1])
    }

    @Test("a worker that stalls on and off leaves once and comes back only when its heartbeats run unbroken again")
    func flapping() {
        let directory = ProducerDirectory()
        let membership = MatcherMembership(directory: directory, started: started)
        // Worker 1: a member from the start, then silent for 7 s at a time, twice.
        let beats = Set(Array(0...10) + Array(18...22) + Array(30...80))
        var named: [Int: [Int]?] = [:]
        for second in 0...80 {
            beat(directory, 0, at: [second])
            if beats.contains(second) { beat(directory, 1, at: [second]) }
            named[second] = membership.alive(now: at(second))
        }
        #expect(named[10] == [0, 1])
        #expect(named[16] == [0], "silent for more than the window: it leaves")
        #expect(named[22] == [0], "back for 4 s: not a member again")
        #expect(named[39] == [0], "a run broken at 22 s starts again at 30 s")
        #expect(named[40] == [0, 1])
        let changes = (6...80).filter { named[$0] != named[$0 - 1] }  // named from 5 s on
        #expect(changes == [16, 40], "it left once and came back once")
    }

    @Test("a reader that stalls and then reads queued heartbeats breaks nobody's run: the gaps are the sender's")
    func readerStall() {
        let directory = ProducerDirectory()
        let membership = MatcherMembership(directory: directory, started: started)
        func beat(_ worker: Int, sent: Int, read: Int) {
            directory.record(
                source: "matcher-\(worker)", Heartbeat(latest: 0, replay: "tcp://127.0.0.1:1", service: "matcher"),
                sentAt: at(sent), at: at(read))
        }
        for second in 0...20 { beat(0, sent: second, read: second); beat(1, sent: second, read: second) }
        #expect(membership.alive(now: at(20)) == [0, 1])
        // The reader is busy from 21 s to 28 s; the heartbeats sent meanwhile are read at 28 s.
        for second in 21...28 { beat(0, sent: second, read: 28); beat(1, sent: second, read: 28) }
        #expect(membership.alive(now: at(28)) == [0, 1], "both are members again at once")
        // A worker that really stops sending breaks its run, by its own clock.
        for second in 29...40 { beat(0, sent: second, read: second) }
        for second in 37...40 { beat(1, sent: second, read: second) }
        #expect(membership.alive(now: at(40)) == [0], "worker 1 sent nothing from 29 s to 36 s")
    }

    @Test("a worker that dies leaves one window after its last heartbeat")
    func death() {
        let directory = ProducerDirectory()
        let membership = MatcherMembership(directory: directory, started: started)
        beat(directory, 0, at: 0...30)
        beat(directory, 1, at: 0...20)
        #expect(membership.alive(now: at(25)) == [0, 1])
        #expect(membership.alive(now: at(26)) == [0])
        #expect(membership.settled(now: at(26)) == [0])
    }
}
