import DecomposerCore
import Foundation
import SystemSupport

/// Where one set of a job's layers is stored: `results/{job_id}/{attempt}/layer_{i}.png` (under
/// `RESULTS_DIR` or `GCS_PREFIX`). Each attempt writes a folder of its own, so a worker that lost
/// its lease and whose writes land late never replaces the layers the completed job lists (the
/// queue refuses its `complete`, but not its files). A job completed by an earlier release has no
/// attempt and reads `results/{job_id}/layer_{i}.png`.
public struct LayerSet: Sendable, Hashable, CustomStringConvertible {
    public let jobID: UUID
    public let attempt: Int?

    public init(jobID: UUID, attempt: Int?) {
        self.jobID = jobID
        self.attempt = attempt
    }

    /// The set a completed job lists.
    public init(completed job: Job) { self.init(jobID: job.id, attempt: job.layersAttempt) }

    /// The folder under the results root.
    var folder: String { attempt.map { "\(jobID.lowercasedString)/\($0)" } ?? jobID.lowercasedString }

    /// Layer `index`'s path under the results root.
    func path(_ index: Int) -> String { "\(folder)/\(LayerSet.layerName(index))" }

    static func layerName(_ index: Int) -> String { "layer_\(index).png" }

    /// The set's export in a format, beside its layers (never listed by the job, so
    /// `/results/{job_id}/{file}` does not serve it).
    func exportPath(_ fileExtension: String) -> String { "\(folder)/export.\(fileExtension)" }

    public var description: String { "results/\(folder)" }
}
