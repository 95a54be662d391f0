import CloudStorage
import CurlHTTP
import DecomposerCore
import Foundation
import GoogleAuth
import Storage
import Testing
import TestSupport

/// `decomposer cleanup` with a bucket: old uploads and result objects are deleted, those of
/// unfinished jobs kept, exactly as for files on disk.
@Suite struct BucketCleanupTests {
    @Test func removesOldObjectsButKeepsThoseOfUnfinishedJobs() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let gcs = try await FakeGCSServer.start()
        defer { gcs.stop() }
        try await gcs.createBucket("cleanup")
        let http = CurlHTTPClient(maxConnections: 4)
        defer { http.shutdown() }
        let client = CloudStorageClient(
            configuration: CloudStorageConfiguration(bucket: "cleanup", prefix: "env/", endpoint: gcs.endpoint),
            auth: NoAuthentication(), http: http)
        let storage = BucketStorage(
            client: client, signer: nil, scratch: FileManager.default.temporaryDirectory.appendingPathComponent("cleanup-\(UUID())"))

        let pendingFile = UUID()
        let pendingJob = try await context.queue.enqueue(JobRequest(fileID: pendingFile)).jobID
        let oldFile = UUID()
        let oldJob = UUID()
        for name in [
            "uploads/\(pendingFile.lowercasedString).png", "uploads/\(oldFile.lowercasedString).jpg",
            "results/\(oldJob.lowercasedString)/layer_0.png", "results/\(oldJob.lowercasedString)/layer_1.png",
            "results/\(pendingJob.lowercasedString)/layer_0.png",
        ] {
            _ = try await client.upload(Array(repeating: 1, count: 100), as: name, contentType: "image/png", idempotency: .overwriteIsIdempotent)
        }
        let cleanup = StorageCleanup(queue: context.queue, storage: storage)
        // Everything is a day old from where the cleanup stands; nothing is from its point of view.
        let tomorrow = Date().addingTimeInterval(86_400)
        let fresh = try await cleanup.run(olderThan: .seconds(7 * 86_400), now: tomorrow)
        #expect(fresh.removedUploads.isEmpty && fresh.removedResults.isEmpty)

        let dryRun = try await cleanup.run(olderThan: .seconds(3600), now: tomorrow, dryRun: true)
        #expect(dryRun.removedUploads == ["\(oldFile.lowercasedString).jpg"])
        #expect(try await client.list(prefix: "").count == 5)

        let report = try await cleanup.run(olderThan: .seconds(3600), now: tomorrow)
        #expect(report.removedUploads == ["\(oldFile.lowercasedString).jpg"])
        #expect(report.removedResults == [oldJob.lowercasedString])
        #expect(Set(report.keptInUse) == [
            "uploads/\(pendingFile.lowercasedString).png", "results/\(pendingJob.lowercasedString)",
        ])
        #expect(report.bytesFreed == 300)
        let left = try await client.list(prefix: "").map(\.name).sorted()
        #expect(left == ["results/\(pendingJob.lowercasedString)/layer_0.png", "uploads/\(pendingFile.lowercasedString).png"])
    }
}
