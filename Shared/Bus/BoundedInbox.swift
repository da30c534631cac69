import DequeModule
import Synchronization

/// A queue between a socket loop thread and async code. The loop only reads more from its socket
/// while `hasRoom`, so a slow consumer pushes back on the bus instead of growing memory.
public final class BoundedInbox<Element: Sendable>: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<[Element], Never>
        let max: Int
    }

    private struct State {
        var buffer = Deque<Element>()
        var waiter: Waiter?
        var closed = false

        /// Removes up to `max` elements; says whether the buffer was full before.
        mutating func remove(max: Int, capacity: Int) -> (elements: [Element], wasFull: Bool) {
            let wasFull = buffer.count >= capacity
            let n = Swift.min(max, buffer.count)
            let elements = Array(buffer.prefix(n))
            buffer.removeFirst(n)
            return (elements, wasFull)
        }
    }

    private enum Outcome {
        case wait
        case now([Element], wasFull: Bool)
    }

    public let capacity: Int
    private let state = Mutex(State())
    private let onSpace: @Sendable () -> Void

    /// - Parameter onSpace: called when a full inbox gets room again (wakes the socket loop).
    public init(capacity: Int, onSpace: @escaping @Sendable () -> Void = {}) {
        self.capacity = capacity
        self.onSpace = onSpace
    }

    public var hasRoom: Bool { state.withLock { $0.buffer.count < capacity } }
    public var count: Int { state.withLock { $0.buffer.count } }

    /// Adds an element regardless of capacity (the socket loop checks `hasRoom` first; replies the
    /// consumer asked for itself are always taken).
    public func push(_ element: Element) {
        let handoff = state.withLock { state -> (Waiter, [Element])? in
            guard !state.closed else { return nil }
            state.buffer.append(element)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.remove(max: waiter.max, capacity: capacity).elements)
        }
        if let (waiter, elements) = handoff { waiter.continuation.resume(returning: elements) }
    }

    /// Waits until at least one element is queued and returns up to `max` of them, oldest first.
    /// Returns an empty array once the inbox is closed or when the waiting task is cancelled
    /// (the inbox stays open then).
    public func take(max: Int) async -> [Element] {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Element], Never>) in
                let outcome = state.withLock { state -> Outcome in
                    if !state.buffer.isEmpty {
                        let (elements, wasFull) = state.remove(max: max, capacity: capacity)
                        return .now(elements, wasFull: wasFull)
                    }
                    if state.closed || Task.isCancelled { return .now([], wasFull: false) }
                    state.waiter = Waiter(continuation: continuation, max: max)
                    return .wait
                }
                if case .now(let elements, let wasFull) = outcome {
                    continuation.resume(returning: elements)
                    if wasFull { onSpace() }
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.continuation.resume(returning: [])
        }
    }

    /// Stops the inbox: a waiting `take` returns empty, later pushes are dropped.
    public func close() {
        let waiter = state.withLock { state -> Waiter? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume(returning: [])
    }
}
