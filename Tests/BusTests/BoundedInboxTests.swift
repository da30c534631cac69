import EcoBus
import Synchronization
import Testing

/// Counts `onSpace` calls from any thread.
private final class SpaceCounter: Sendable {
    private let calls = Mutex(0)
    func record() { calls.withLock { $0 += 1 } }
    var value: Int { calls.withLock { $0 } }
}

@Suite("BoundedInbox: back-pressure between the socket loop and async code")
struct BoundedInboxTests {
    @Test("take returns what is queued, up to max, oldest first")
    func takeUpToMaxInOrder() async {
        let inbox = BoundedInbox<Int>(capacity: 10)
        for value in 1...5 { inbox.push(value) }
        #expect(await inbox.take(max: 3) == [1, 2, 3])
        #expect(inbox.count == 2)
        #expect(await inbox.take(max: 10) == [4, 5])
        #expect(inbox.count == 0)
    }

    @Test("hasRoom is true below capacity and false at or above it; push still accepts beyond capacity")
    func hasRoomRespectsCapacity() async {
        let inbox = BoundedInbox<String>(capacity: 2)
        #expect(inbox.hasRoom)
        inbox.push("a")
        #expect(inbox.hasRoom)
        inbox.push("b")
        #expect(!inbox.hasRoom)
        inbox.push("c")
        #expect(!inbox.hasRoom)
        #expect(inbox.count == 3)
        #expect(await inbox.take(max: 2) == ["a", "b"])
        #expect(inbox.hasRoom)
        #expect(inbox.capacity == 2)
    }

    @Test("onSpace fires when a full inbox is drained, and not when it was not full")
    func onSpaceWhenFullInboxDrained() async {
        let space = SpaceCounter()
        let inbox = BoundedInbox<Int>(capacity: 2, onSpace: { space.record() })
        inbox.push(1)
        #expect(await inbox.take(max: 10) == [1])
        #expect(space.value == 0, "the inbox was not full")

        inbox.push(2)
        inbox.push(3)
        #expect(!inbox.hasRoom)
        #expect(await inbox.take(max: 1) == [2])
        #expect(space.value == 1)
        #expect(inbox.hasRoom)

        #expect(await inbox.take(max: 1) == [3])
        #expect(space.value == 1, "draining a non-full inbox does not signal again")
    }

    @Test("a take waiting on an empty inbox is resumed by push", .timeLimit(.minutes(1)))
    func waitingTakeResumedByPush() async {
        let inbox = BoundedInbox<Int>(capacity: 4)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let taker = Task {
            startedContinuation.yield()
            return await inbox.take(max: 4)
        }
        // The taker is running and about to wait (the inbox offers no way to observe the waiter;
        // if the push came first, take finds the element queued, which is also correct). A push
        // that failed to resume a waiting take would hang here until the time limit.
        for await _ in started { break }
        inbox.push(42)
        #expect(await taker.value == [42])
        #expect(inbox.count == 0)

        // Several rounds on the same inbox: each waiting take gets exactly the next push.
        for value in 1...50 {
            let next = Task { await inbox.take(max: 4) }
            inbox.push(value)
            #expect(await next.value == [value])
        }
    }

    @Test("cancelling a waiting take returns [] and the inbox keeps working", .timeLimit(.minutes(1)))
    func cancelledTakeReturnsEmpty() async {
        let inbox = BoundedInbox<Int>(capacity: 4)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let taker = Task {
            startedContinuation.yield()
            return await inbox.take(max: 4)
        }
        for await _ in started { break }
        taker.cancel()
        #expect(await taker.value == [])

        inbox.push(7)
        #expect(await inbox.take(max: 4) == [7])

        // A new waiter after the cancelled one is served by push too.
        let next = Task { await inbox.take(max: 4) }
        inbox.push(8)
        #expect(await next.value == [8])
    }

    @Test("a take in an already cancelled task returns [] when empty, but still hands out queued items")
    func takeInCancelledTask() async {
        let inbox = BoundedInbox<Int>(capacity: 4)
        let empty = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await inbox.take(max: 4)
        }
        #expect(await empty.value == [])
        inbox.push(1)
        let queued = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await inbox.take(max: 4)
        }
        #expect(await queued.value == [1], "queued items are still handed out")
    }

    @Test("close releases a waiting take with [], later takes return [] and pushes are dropped", .timeLimit(.minutes(1)))
    func closeEndsTakes() async {
        let inbox = BoundedInbox<Int>(capacity: 4)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let taker = Task {
            startedContinuation.yield()
            return await inbox.take(max: 4)
        }
        for await _ in started { break }
        inbox.close()
        #expect(await taker.value == [])
        #expect(await inbox.take(max: 4) == [])
        inbox.push(1)
        #expect(inbox.count == 0)
        #expect(await inbox.take(max: 4) == [])
    }
}
