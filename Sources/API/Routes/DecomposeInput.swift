import DecomposerCore
import Foundation
import SystemSupport

/// The image a `POST /api/decompose` asks to decompose: an upload (`file_id`), or a layer of a
/// completed job to split further (`"source": {"job_id", "layer"}`). Exactly one of the two.
enum DecomposeInput: Equatable {
    case file(UUID)
    case source(JobParent)

    static let sourceShape = #"{"job_id": "<a completed job's id>", "layer": <the layer's index>}"#

    /// - Throws: `invalid_field` (422) naming the fields: both or neither given, or a `source`
    ///   that is not an object with exactly a UUID `job_id` and a non-negative integer `layer`.
    init(_ body: JSONObjectBody) throws(APIError) {
        switch (body.value("file_id"), body.value("source")) {
        case (nil, nil):
            throw .invalidField(
                "file_id or source is required: file_id (from POST /api/upload) or source \(Self.sourceShape) to split a layer further")
        case (.some, .some):
            throw .invalidField("send either file_id or source, not both")
        case (.some, nil):
            self = .file(try body.uuid("file_id"))
        case (nil, .some(let source)):
            self = .source(try Self.parent(source))
        }
    }

    private static func parent(_ source: JSONValue) throws(APIError) -> JobParent {
        guard case .object(let members) = source else { throw .invalidField("source must be an object \(sourceShape)") }
        if let unknown = members.keys.sorted().first(where: { $0 != "job_id" && $0 != "layer" }) {
            throw .invalidField("source has an unknown field '\(unknown.prefix(64))'; it takes only job_id and layer")
        }
        guard case .string(let text)? = members["job_id"], let jobID = UUID(spelling: text) else {
            throw .invalidField("source.job_id must be a job's id (a UUID string)")
        }
        guard case .number(let number)? = members["layer"], let layer = Int(exactly: number), layer >= 0 else {
            throw .invalidField("source.layer must be a non-negative integer (the index of the layer to split)")
        }
        return JobParent(jobID: jobID, layer: layer)
    }
}
