import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport

/// A split's parent on the job (`parent_job_id`, `parent_layer`, written by `enqueue`) and in
/// the idempotency fingerprint.
@Suite struct QueueSplitTests {
    @Test func enqueueRecordsTheParentAndAnOrdinaryJobHasNone() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let parent = JobParent(jobID: UUID(), layer: 2)
        guard case .created(let child) = try await context.queue.enqueue(JobRequest(fileID: UUID(), numLayers: 3, parent: parent)),
            case .created(let plain) = try await context.queue.enqueue(JobRequest(fileID: UUID()))
        else {
            Issue.record("both enqueues must create")
            return
        }
        #expect(try await context.queue.job(child)?.parent == parent)
        #expect(try await context.queue.job(plain)?.parent == nil)
        // Events carry it too (the WebSocket's messages are built from them).
        let lease = try #require(try await context.claim())
        #expect(lease.job.id == child && lease.job.parent == parent)
    }

    @Test func theFingerprintNamesASplitsSourceNotItsUpload() {
        let fileID = UUID()
        let parent = JobParent(jobID: UUID(), layer: 1)
        let split = JobRequest(fileID: fileID, numLayers: 3, parent: parent)
        #expect(split.fingerprint != JobRequest(fileID: fileID, numLayers: 3).fingerprint)
        #expect(split.fingerprint == JobRequest(fileID: UUID(), numLayers: 3, parent: parent).fingerprint)
        #expect(split.fingerprint != JobRequest(fileID: fileID, numLayers: 3, parent: JobParent(jobID: parent.jobID, layer: 2)).fingerprint)
        #expect(split.fingerprint.contains(parent.jobID.lowercasedString))
    }
}
