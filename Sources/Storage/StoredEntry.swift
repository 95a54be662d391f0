import Foundation
import SystemSupport

/// What `decomposer cleanup` sees: an upload, or the layers of one job, with when it was last
/// written and how many bytes it holds.
public struct StoredEntry: Sendable {
    public enum Kind: Sendable { case upload, result }

    public let kind: Kind
    /// `{file_id}.png` for an upload, `{job_id}` for a result set.
    public let name: String
    public let modified: Date
    public let size: Int64
    /// The object names (bucket) or the path (disk) to remove.
    let locations: [String]

    /// The upload's file id or the result set's job id.
    public var id: UUID? {
        UUID(spelling: name.split(separator: ".").first ?? "")
    }
}
