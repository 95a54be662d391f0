import Foundation

/// A FIFO that OS threads block on. The only lock-and-condition code in the
/// module; `@unchecked Sendable` because every access holds `condition`.
final class WorkQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    /// Adds an item; false when the queue is closed (the caller fails it).
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(item)
        condition.signal()
        return true
    }

    /// Blocks until work is there, then takes up to `limit` items so one
    /// thread can pipeline them in a single write. Nil once closed and drained.
    func takeBatch(limit: Int) -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        if head == items.count { return nil }
        let end = min(items.count, head + limit)
        let batch = Array(items[head..<end])
        head = end
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 {
            items.removeFirst(head)
            head = 0
        }
        if head < items.count { condition.signal() }
        return batch
    }

    /// Stops accepting work and wakes every waiting thread; returns what was still queued.
    func close() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        let rest = Array(items[head...])
        items.removeAll()
        head = 0
        condition.broadcast()
        return rest
    }
}
