import Foundation

extension JobQueue {
    /// Rebuilds the `order` mirror from the wait list when their sizes differ (jobs queued before
    /// the mirror existed have no place); otherwise two O(1) reads. Workers run it on every sweep.
    public func repairOrder() async throws(QueueError) -> OrderRepair {
        let reply = try await run(QueueScripts.repairOrder, [])
        switch reply.tag {
        case "ok": return .consistent
        case "repaired": return .rebuilt(mirroredBefore: Int(try reply.integer(0)), waiting: Int(try reply.integer(1)))
        default: throw reply.unexpected()
        }
    }
}
