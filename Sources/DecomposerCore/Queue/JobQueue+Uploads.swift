import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// Notes that `fileID` is stored, for the retention: `enqueue(requireNotedUpload:)` then
    /// checks the note inside its own script call instead of the API asking storage on every
    /// enqueue (a file check on disk; a listing request to the bucket).
    public func noteUpload(_ fileID: UUID) async throws(QueueError) {
        do {
            _ = try await redis.send(["SET", keys.upload(fileID), "1", "PX", String(policy.retention.milliseconds)])
        } catch {
            throw .redis(error)
        }
    }

    /// Drops the note of an upload that storage no longer has (cleanup removed it).
    public func forgetUpload(_ fileID: UUID) async throws(QueueError) {
        do {
            _ = try await redis.send(["DEL", keys.upload(fileID)])
        } catch {
            throw .redis(error)
        }
    }
}
