import Exports
import Foundation
import Storage
import SystemSupport

/// Builds a job's export once and stores it beside its layers, with one build per job and format in
/// flight in this process (single flight: a second request for the same export waits for the
/// first's build instead of starting its own). Across API replicas two first requests may still
/// both build; each stores the same file (a rename on disk, an overwrite in a bucket), so the last
/// one wins with the same content.
actor ExportBuilds {
    private let storage: any StorageBackend
    private var running: [String: Task<Void, any Error>] = [:]

    init(storage: any StorageBackend) { self.storage = storage }

    /// Builds and stores the set's export in `format` unless a build is already running here, and
    /// waits for it. Layer files the storage downloaded for it are removed whatever happens.
    func build(_ set: LayerSet, layerCount: Int, format: ExportFormat, writer: any LayeredFileWriter) async throws {
        let key = "\(set)/export.\(format.fileExtension)"
        if let task = running[key] { return try await task.value }
        let task = Task { [storage] in
            try await Self.buildAndStore(set, layerCount: layerCount, format: format, writer: writer, storage: storage)
        }
        running[key] = task
        defer { running[key] = nil }
        try await task.value
    }

    private static func buildAndStore(
        _ set: LayerSet, layerCount: Int, format: ExportFormat, writer: any LayeredFileWriter, storage: any StorageBackend
    ) async throws {
        let files = try await storage.localLayerFiles(set, count: layerCount)
        defer { for file in files where file.isTemporary { unlink(file.path) } }
        let source = ExportSource(
            jobID: set.jobID,
            layers: files.enumerated().map { ExportLayer(index: $0.offset, name: "Layer \($0.offset)", path: $0.element.path) })
        let path = try await storage.exportBuildPath(set, fileExtension: format.fileExtension)
        do {
            // File reads, hashing and writes: blocking, so off the concurrency pool.
            try await BlockingIO.run { try writer.write(source, to: path) }
        } catch {
            unlink(path)
            throw error
        }
        try await storage.storeExport(set, fileExtension: format.fileExtension, contentType: format.contentType, fileAt: path)
    }
}
