import Foundation
import SystemSupport

/// The layer a job splits further (`"source": {"job_id", "layer"}` in `POST /api/decompose`):
/// the parent job and the index of its layer that became this job's image. Stored on the job
/// as `parent_job_id` / `parent_layer`, so a client can draw the tree of splits.
public struct JobParent: Sendable, Equatable, Hashable {
    public var jobID: UUID
    public var layer: Int

    public init(jobID: UUID, layer: Int) {
        self.jobID = jobID
        self.layer = layer
    }

    /// From the job hash's fields; nil for an ordinary job (or fields that do not parse).
    init?(fields: [String: String]) {
        guard let jobID = fields["parent_job_id"].flatMap(UUID.init(spelling:)),
            let layer = fields["parent_layer"].flatMap(Int.init), layer >= 0
        else { return nil }
        self.init(jobID: jobID, layer: layer)
    }
}
