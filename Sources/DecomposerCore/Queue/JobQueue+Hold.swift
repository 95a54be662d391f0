import SystemSupport

extension JobQueue {
    /// The hold's message while the queue is held (the daily budget is spent), else nil.
    /// The hold is placed by the cost record that reaches the budget (`recordAttempt`) and
    /// enforced by the claim script; it expires by itself at the end of the UTC day.
    public func heldMessage() async throws(QueueError) -> String? {
        do {
            return try await redis.send(["GET", keys.hold]).string
        } catch {
            throw .redis(error)
        }
    }
}
