import CloudStorage
import Foundation
import SystemSupport

/// Exports in a bucket: the object `{prefix}results/{job_id}/{attempt}/export.{ext}`, built from
/// layers downloaded into `scratch/exports` and uploaded from the built file (streamed both ways).
extension BucketStorage {
    static func exportObject(_ set: LayerSet, _ fileExtension: String) -> String { "results/\(set.exportPath(fileExtension))" }

    var exportScratch: URL { scratch.appendingPathComponent("exports") }

    public func storedExport(_ set: LayerSet, fileExtension: String) async throws -> ServedLayer? {
        let name = Self.exportObject(set, fileExtension)
        let object: StoredObject
        do {
            object = try await client.metadata(name)
        } catch .notFound {
            return nil
        } catch {
            throw Self.storageError(error)
        }
        if let signer {
            do {
                return .redirect(url: try await signer.signedURL(bucket: bucket, object: client.configuration.prefix + name).url)
            } catch {
                throw error.isRetryable ? StorageError.unavailable("cannot sign a URL: \(error)") : StorageError.failed("cannot sign a URL: \(error)")
            }
        }
        let crc = object.crc32c.map { String($0, radix: 16) } ?? "0"
        return .stored(StoredLayer(size: Int(object.size), entityTag: "\"\(crc)-\(String(object.generation, radix: 16))\"", location: name))
    }

    public func exportBuildPath(_ set: LayerSet, fileExtension: String) async throws -> String {
        let folder = exportScratch
        try await BlockingIO.run { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        return folder.appendingPathComponent("\(UUID().lowercasedString).\(fileExtension)").path
    }

    /// Overwrite-idempotent: two first requests may both build and upload the same export.
    public func storeExport(_ set: LayerSet, fileExtension: String, contentType: String, fileAt path: String) async throws {
        defer { unlink(path) }
        do {
            _ = try await client.upload(
                fileAt: path, as: Self.exportObject(set, fileExtension), contentType: contentType,
                idempotency: .overwriteIsIdempotent)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Downloaded one after the other (an export is built once per job and format); the copies made
    /// so far are removed when one fails.
    public func localLayerFiles(_ set: LayerSet, count: Int) async throws -> [LocalLayerFile] {
        let folder = exportScratch
        try await BlockingIO.run { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        var files: [LocalLayerFile] = []
        do {
            for index in 0..<count {
                let path = folder.appendingPathComponent("\(UUID().lowercasedString).png").path
                do {
                    try await client.download(Self.layerObject(set, index), toFileAt: path)
                } catch {
                    unlink(path)
                    throw Self.storageError(error)
                }
                files.append(LocalLayerFile(path: path, isTemporary: true))
            }
        } catch {
            for file in files { unlink(file.path) }
            throw error
        }
        return files
    }
}
