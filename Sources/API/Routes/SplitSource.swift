import Crypto
import DecomposerCore
import Foundation
import Storage
import SystemSupport

/// Turns a split's source (a completed job's layer) into an upload a job can decompose like any
/// other: the layer, an RGBA PNG with its transparency, is copied by the storage into
/// `uploads/{file_id}.png`, so the worker needs nothing new, the prepared PNG keeps its alpha,
/// and the child outlives a cleanup of its parent's layers.
struct SplitSource {
    let queue: JobQueue
    let storage: any StorageBackend

    /// The upload holding the parent's layer, copied on first use.
    /// - Throws: `404 job_not_found` (no such parent), `409 conflict` (the parent is not
    ///   completed, naming its status), `404 not_found` (no such layer, or no longer stored).
    func upload(for parent: JobParent) async throws -> UUID {
        let jobText = parent.jobID.lowercasedString
        guard let job = try await queue.job(parent.jobID) else {
            throw APIError(.notFound, "job_not_found", "no job with id '\(jobText)' (source.job_id) to split a layer of")
        }
        guard job.status == .completed else {
            throw APIError.conflict("job \(jobText) is \(job.status.rawValue); only a completed job's layers can be split")
        }
        guard let layer = job.layers.first(where: { $0.index == parent.layer }) else {
            let range = job.layers.isEmpty ? "none" : "0 to \(job.layers.count - 1)"
            throw APIError.notFound("job \(jobText) has no layer \(parent.layer) (source.layer; its layers: \(range))")
        }
        let fileID = Self.uploadID(for: parent)
        guard try await !storage.uploadExists(fileID) else { return fileID }
        do {
            try await storage.storeUpload(copyOfLayer: layer.index, of: LayerSet(completed: job), fileID: fileID)
        } catch StorageError.notFound {
            throw APIError.notFound("layer \(parent.layer) of job \(jobText) is no longer stored (cleaned up)")
        }
        return fileID
    }

    /// The same layer always gets the same upload id (a name-based UUID from SHA-256), so splitting
    /// it again, or retrying a request, copies nothing more and leaves no orphan upload.
    static func uploadID(for parent: JobParent) -> UUID {
        var bytes = Array(SHA256.hash(data: Array("decomposer split source \(parent.jobID.lowercasedString) \(parent.layer)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
