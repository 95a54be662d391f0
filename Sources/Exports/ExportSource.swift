import Foundation

/// What an export is made of: a completed job's layers as local PNG files, bottom (the model's
/// layer 0, the background) first. Writers read one layer at a time, so memory stays bounded by
/// one decoded layer (and what the format itself must keep, such as a composite).
public struct ExportSource: Sendable {
    public let jobID: UUID
    public let layers: [ExportLayer]

    public init(jobID: UUID, layers: [ExportLayer]) {
        self.jobID = jobID
        self.layers = layers
    }
}

/// One layer to export: the model's index, the name it gets in the file ("Layer 0", …) and the
/// local file holding its PNG bytes.
public struct ExportLayer: Sendable {
    public let index: Int
    public let name: String
    public let path: String

    public init(index: Int, name: String, path: String) {
        self.index = index
        self.name = name
        self.path = path
    }
}

/// Writes one export format. Blocking (file I/O, decoding, compression): call it off the
/// concurrency pool (`BlockingIO`, `ComputePool`).
public protocol LayeredFileWriter: Sendable {
    /// Writes the whole file at `path` (created or replaced), reading the layers in order.
    func write(_ source: ExportSource, to path: String) throws
}
