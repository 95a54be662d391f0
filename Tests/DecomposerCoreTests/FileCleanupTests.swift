import DecomposerCore
import Foundation
import Storage
import SystemSupport
import Testing
import TestSupport

@Suite struct FileCleanupTests {
    @Test func removesOldFilesButKeepsThoseOfUnfinishedJobs() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cleanup-\(UUID().uuidString)")
        let uploads = root.appendingPathComponent("uploads")
        let results = root.appendingPathComponent("results")
        defer { try? FileManager.default.removeItem(at: root) }

        let pendingFile = UUID()
        let pendingJob = try await context.queue.enqueue(JobRequest(fileID: pendingFile)).jobID
        let oldFile = UUID()
        let oldJob = UUID()
        let freshFile = UUID()
        let eightDaysAgo = Date().addingTimeInterval(-8 * 86_400)
        try write(uploads.appendingPathComponent("\(pendingFile.lowercasedString).png"), modified: eightDaysAgo)
        try write(uploads.appendingPathComponent("\(oldFile.lowercasedString).jpg"), modified: eightDaysAgo)
        try write(uploads.appendingPathComponent("\(freshFile.lowercasedString).png"), modified: Date())
        try write(results.appendingPathComponent(oldJob.lowercasedString), modified: eightDaysAgo, folder: true)
        try write(results.appendingPathComponent(pendingJob.lowercasedString), modified: eightDaysAgo, folder: true)

        for file in [pendingFile, oldFile, freshFile] { try await context.queue.noteUpload(file) }

        let cleanup = StorageCleanup(queue: context.queue, storage: FilesystemStorage(uploadsDirectory: uploads, resultsDirectory: results))
        let dryRun = try await cleanup.run(olderThan: .seconds(7 * 86_400), dryRun: true)
        #expect(dryRun.removedUploads == ["\(oldFile.lowercasedString).jpg"])
        #expect(FileManager.default.fileExists(atPath: uploads.appendingPathComponent("\(oldFile.lowercasedString).jpg").path))

        let report = try await cleanup.run(olderThan: .seconds(7 * 86_400))
        #expect(report.removedUploads == ["\(oldFile.lowercasedString).jpg"])
        #expect(report.removedResults == [oldJob.lowercasedString])
        #expect(Set(report.keptInUse) == [
            "uploads/\(pendingFile.lowercasedString).png", "results/\(pendingJob.lowercasedString)",
        ])
        let left = try FileManager.default.contentsOfDirectory(atPath: uploads.path)
        #expect(left.count == 2)
        #expect(report.bytesFreed > 0)
        // A removed upload's note goes with it (an enqueue trusts the note); the others stay.
        for (file, noted) in [(oldFile, 0), (pendingFile, 1), (freshFile, 1)] {
            #expect(try await context.redis.send(["EXISTS", context.queue.keys.upload(file)]).int == Int64(noted))
        }
    }

    private func write(_ url: URL, modified: Date, folder: Bool = false) throws {
        let fileManager = FileManager.default
        if folder {
            try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
            try Data(repeating: 1, count: 2048).write(to: url.appendingPathComponent("layer_0.png"))
        } else {
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(repeating: 1, count: 2048).write(to: url)
        }
        try fileManager.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
    }
}
