import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport

/// Upload notes: the API notes each stored upload, and the enqueue script checks the note in the
/// same call instead of the API asking storage per job.
@Suite struct QueueUploadNoteTests {
    @Test func anEnqueueThatRequiresANoteIsRefusedWithoutOneAndCreatesNothing() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let fileID = UUID()
        await #expect(throws: QueueError.uploadNotNoted(fileID)) {
            _ = try await context.queue.enqueue(JobRequest(fileID: fileID), requireNotedUpload: true)
        }
        #expect(try await context.queue.counts().waiting == 0)

        try await context.queue.noteUpload(fileID)
        let created = try await context.queue.enqueue(JobRequest(fileID: fileID), requireNotedUpload: true)
        #expect(try await context.queue.job(created.jobID)?.fileID == fileID)
        #expect(try await context.queue.counts().waiting == 1)

        try await context.queue.forgetUpload(fileID)
        await #expect(throws: QueueError.uploadNotNoted(fileID)) {
            _ = try await context.queue.enqueue(JobRequest(fileID: fileID), requireNotedUpload: true)
        }
        // Without the requirement (the API after asking storage itself), no note is needed.
        _ = try await context.queue.enqueue(JobRequest(fileID: fileID))
        #expect(try await context.queue.counts().waiting == 2)
    }

    @Test func aNoteLastsTheRetention() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(retention: .seconds(3600)))
        defer { context.shutdown() }
        let fileID = UUID()
        try await context.queue.noteUpload(fileID)
        let left = try await context.redis.send(["PTTL", context.queue.keys.upload(fileID)]).int ?? -1
        #expect(left > 3_500_000 && left <= 3_600_000, "\(left) ms")
    }
}
