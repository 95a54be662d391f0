import Foundation
import SystemSupport

/// Removes uploads and result folders older than a cutoff. Jobs expire from
/// Redis after their retention; their files stay until this runs. Files a
/// queued or running job still needs are never removed.
public struct FileCleanup: Sendable {
    public let queue: JobQueue
    public let uploadsDirectory: URL
    public let resultsDirectory: URL

    public init(queue: JobQueue, uploadsDirectory: URL, resultsDirectory: URL) {
        self.queue = queue
        self.uploadsDirectory = uploadsDirectory
        self.resultsDirectory = resultsDirectory
    }

    public struct Report: Sendable, Equatable {
        public var removedUploads: [String] = []
        public var removedResults: [String] = []
        public var keptInUse: [String] = []
        public var bytesFreed: Int64 = 0
    }

    /// With `dryRun`, reports what would go without removing anything.
    public func run(olderThan age: Duration, now: Date = Date(), dryRun: Bool = false) async throws -> Report {
        let cutoff = now.addingTimeInterval(-(age / .seconds(1)))
        let inUse = try await queue.unfinishedJobs()
        // Listing and removing thousands of files blocks: off the concurrency pool.
        return try await BlockingIO.run { [self] in try remove(olderThan: cutoff, keeping: inUse, dryRun: dryRun) }
    }

    private func remove(
        olderThan cutoff: Date, keeping inUse: (jobs: Set<UUID>, files: Set<UUID>), dryRun: Bool
    ) throws -> Report {
        var report = Report()
        for entry in try entries(in: resultsDirectory) where entry.modified < cutoff {
            let name = entry.url.lastPathComponent
            if let id = UUID(uuidString: name), inUse.jobs.contains(id) {
                report.keptInUse.append("results/\(name)")
                continue
            }
            report.bytesFreed += entry.size
            report.removedResults.append(name)
            if !dryRun { try FileManager.default.removeItem(at: entry.url) }
        }
        for entry in try entries(in: uploadsDirectory) where entry.modified < cutoff {
            let name = entry.url.lastPathComponent
            let fileID = name.split(separator: ".").first.flatMap { UUID(uuidString: String($0)) }
            if let fileID, inUse.files.contains(fileID) {
                report.keptInUse.append("uploads/\(name)")
                continue
            }
            report.bytesFreed += entry.size
            report.removedUploads.append(name)
            if !dryRun { try FileManager.default.removeItem(at: entry.url) }
        }
        return report
    }

    private struct Entry {
        let url: URL
        let modified: Date
        let size: Int64
    }

    private func entries(in directory: URL) throws -> [Entry] {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: directory.path) else { return [] }
        let keys: [URLResourceKey] = [.contentModificationDateKey, .isDirectoryKey, .fileSizeKey]
        return try fileManager.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys).map { url in
            let values = try url.resourceValues(forKeys: Set(keys))
            var size = Int64(values.fileSize ?? 0)
            if values.isDirectory == true {
                let children = (try? fileManager.contentsOfDirectory(at: url, includingPropertiesForKeys: [.fileSizeKey])) ?? []
                size = children.reduce(0) { $0 + Int64((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
            }
            return Entry(url: url, modified: values.contentModificationDate ?? .distantFuture, size: size)
        }
    }
}
