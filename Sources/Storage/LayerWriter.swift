import DecomposerCore
import Foundation
import SystemSupport

/// Writes a job's layer PNGs as `RESULTS_DIR/{job_id}/{attempt}/layer_{i}.png` (`LayerSet`), each
/// atomically (temp file, then rename), with exactly the bytes validated. A
/// second delivery of the same attempt overwrites cleanly.
///
/// The files are on disk before the job is reported complete: each is
/// flushed before its rename and the folder after the renames, so a crash
/// cannot leave a completed job with empty or missing layers. Writing and
/// flushing (`stage`) is separate from putting in place (`commit`) so the
/// worker can do the slow part while it validates the layers.
public struct LayerWriter: Sendable {
    public let resultsDirectory: URL

    public init(resultsDirectory: URL) { self.resultsDirectory = resultsDirectory }

    /// A layer ready to store.
    public typealias Layer = LayerToStore

    /// Layer files written and flushed under hidden temporary names in the
    /// job's folder, not yet in place.
    public struct Staged: Sendable {
        let set: LayerSet
        let folder: String
        let temporaries: [String]
    }

    /// Writes `pngs` under temporary names and flushes them, without putting
    /// them in place. Done while the layers are validated, so the disk
    /// flushes overlap the CPU work; `commit` or `discard` follows.
    public func stage(_ pngs: [[UInt8]], as set: LayerSet) async throws -> Staged {
        let folder = folder(of: set)
        return try await BlockingIO.run {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var files = TemporaryFiles(folder: folder)
            defer { files.discard() }
            for (index, png) in pngs.enumerated() {
                try files.create(Self.filename(index), png)
            }
            return Staged(set: set, folder: folder, temporaries: try files.flush())
        }
    }

    /// Renames the staged files into place (`layer_{i}.png`) and flushes the
    /// folder. `layers` are the same layers, validated.
    public func commit(_ staged: Staged, _ layers: [Layer]) async throws -> [LayerResult] {
        precondition(staged.temporaries.count == layers.count, "commit the layers that were staged")
        try await BlockingIO.run {
            for (index, temporary) in staged.temporaries.enumerated() {
                let destination = "\(staged.folder)/\(Self.filename(index))"
                try systemCall("rename", path: destination) { rename(temporary, destination) }
            }
            try Self.flushFolders(staged.folder)
        }
        return layers.enumerated().map { index, layer in
            FilesystemStorage.result(jobID: staged.set.jobID, index: index, layer: layer)
        }
    }

    /// Puts `count` layers of `source` in `destination` as hard links (a copy where the two
    /// cannot share an inode; `FilePlacement`), then flushes the folder.
    /// - Throws: `StorageError.notFound` when a source layer is gone.
    public func link(count: Int, from source: LayerSet, to destination: LayerSet) async throws {
        let from = folder(of: source)
        let to = folder(of: destination)
        try await BlockingIO.run {
            try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
            for index in 0..<count {
                let original = "\(from)/\(Self.filename(index))"
                let temporary = "\(to)/.\(Self.filename(index)).\(UUID().uuidString).tmp"
                try FilePlacement.linkOrCopy(
                    original, to: "\(to)/\(Self.filename(index))", through: temporary,
                    missing: .notFound("\(source) has no \(Self.filename(index))"))
            }
            try Self.flushFolders(to)
        }
    }

    /// The set's folder on disk.
    func folder(of set: LayerSet) -> String { resultsDirectory.appendingPathComponent(set.folder).path }

    /// Flushes the set's folder and the one holding it (the job's), so a new attempt folder survives a crash too.
    private static func flushFolders(_ folder: String) throws {
        for path in [folder, (folder as NSString).deletingLastPathComponent] { try flushDirectory(path) }
    }

    /// Removes staged files that will not be committed (invalid layers, a lost lease).
    public func discard(_ staged: Staged) async {
        _ = try? await BlockingIO.run {
            for temporary in staged.temporaries { unlink(temporary) }
            // The attempt's folder, when nothing else is in it (fails harmlessly otherwise).
            rmdir(staged.folder)
        }
    }

    static func filename(_ index: Int) -> String { "layer_\(index).png" }
}

/// Temporary files being written for `stage`: all are written before the
/// first flush, so the flushes find the data already queued. Whatever is not
/// handed over by `flush` is removed by `discard`.
private struct TemporaryFiles {
    let folder: String
    private var open: [(descriptor: Int32, path: String)] = []

    init(folder: String) { self.folder = folder }

    /// Writes `bytes` to a new temporary file (not yet flushed).
    mutating func create(_ name: String, _ bytes: [UInt8]) throws {
        let path = "\(folder)/.\(name).\(UUID().uuidString).tmp"
        let descriptor = try systemCall("open", path: path) {
            Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        }
        open.append((descriptor, path))
        try bytes.withUnsafeBytes { try writeAll(descriptor, $0, path: path) }
    }

    /// Flushes and closes every file; returns their paths, in creation order.
    mutating func flush() throws -> [String] {
        for file in open {
            try systemCall("fsync", path: file.path) { fsync(file.descriptor) }
        }
        let paths = open.map(\.path)
        for file in open { close(file.descriptor) }
        open.removeAll()
        return paths
    }

    /// Closes and removes what was not flushed (after an error).
    mutating func discard() {
        for file in open {
            close(file.descriptor)
            unlink(file.path)
        }
        open.removeAll()
    }
}
