import Foundation
import Redis

/// Why a queue operation was refused.
public enum QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller's lease ended (expired and recovered, or handed on): its write was refused.
    case leaseLost(UUID)
    /// The job was cancelled while the caller held it.
    case cancelled(UUID)
    case queueFull(depth: Int)
    /// The idempotency key names another request's job.
    case idempotencyConflict(existing: UUID)
    /// The enqueue asked for a noted upload (`JobQueue.noteUpload`) and there is no note: the
    /// caller asks storage instead (an upload from before the notes, or one noted elsewhere).
    case uploadNotNoted(UUID)
    /// Redis failed or answered something the scripts never return.
    case redis(RedisError)

    public var description: String {
        switch self {
        case .leaseLost(let id): return "job \(id) is no longer held by this worker (lease lost)"
        case .cancelled(let id): return "job \(id) was cancelled"
        case .queueFull(let depth): return "the queue is full (\(depth) jobs waiting)"
        case .idempotencyConflict(let id): return "the idempotency key was used for a different request (job \(id))"
        case .uploadNotNoted(let id): return "no note of the upload \(id.lowercasedString)"
        case .redis(let error): return error.description
        }
    }
}
