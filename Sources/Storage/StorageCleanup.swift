import DecomposerCore
import Foundation

/// Removes uploads and result sets older than a cutoff, from whichever storage is in use (files
/// on disk, objects in a bucket). Jobs expire from Redis after their retention; their bytes stay
/// until this runs (or, in a bucket, until its lifecycle rule deletes them). What a queued or
/// running job still needs is never removed.
public struct StorageCleanup: Sendable {
    public let queue: JobQueue
    public let storage: any StorageBackend

    public init(queue: JobQueue, storage: any StorageBackend) {
        self.queue = queue
        self.storage = storage
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
        var report = Report()
        let entries = try await storage.storedEntries()
        for entry in entries where entry.modified < cutoff {
            let kept: Bool
            switch entry.kind {
            case .result: kept = entry.id.map(inUse.jobs.contains) ?? false
            case .upload: kept = entry.id.map(inUse.files.contains) ?? false
            }
            let folder = entry.kind == .result ? "results" : "uploads"
            if kept {
                report.keptInUse.append("\(folder)/\(entry.name)")
                continue
            }
            report.bytesFreed += entry.size
            if entry.kind == .result { report.removedResults.append(entry.name) } else { report.removedUploads.append(entry.name) }
            if !dryRun {
                try await storage.remove(entry)
                // An enqueue trusts an upload's note: it goes with the file.
                if entry.kind == .upload, let id = entry.id { try await queue.forgetUpload(id) }
            }
        }
        return report
    }
}
