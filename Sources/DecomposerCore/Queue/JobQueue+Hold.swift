import Foundation

extension JobQueue {
    /// Holds the queue until `end` (the daily budget is spent): every queued
    /// job's message becomes `message`, and so does that of jobs queued
    /// meanwhile. Nothing is failed or dropped; workers check `heldMessage()`.
    ///
    /// - Returns: the number of jobs annotated, or nil when the queue was already held
    ///   (so only the process that placed the hold reports it).
    public func hold(message: String, until end: Date) async throws(QueueError) -> Int? {
        let reply = try await run(QueueScripts.hold, [message, String(end.millisecondsSince1970)])
        let parts = reply.array ?? []
        guard parts.first?.string == "held" else { return nil }
        return Int(parts.count > 1 ? parts[1].int ?? 0 : 0)
    }

    /// The hold's message while the queue is held, else nil.
    public func heldMessage() async throws(QueueError) -> String? {
        do {
            return try await redis.send(["GET", keys.hold]).string
        } catch {
            throw .redis(error)
        }
    }
}
