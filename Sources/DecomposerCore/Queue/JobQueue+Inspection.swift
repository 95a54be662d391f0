import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// The job's hash as stored (every field, as `decomposer jobs show` prints it), without its
    /// lease token (a secret of the worker holding it); nil when unknown or expired.
    public func storedFields(of id: UUID) async throws(QueueError) -> [String: String]? {
        let reply: RedisReply
        do {
            reply = try await redis.send(["HGETALL", keys.job(id)])
        } catch {
            throw .redis(error)
        }
        guard var fields = reply.fieldMap, !fields.isEmpty else { return nil }
        fields["lease_token"] = nil
        return fields
    }
}
