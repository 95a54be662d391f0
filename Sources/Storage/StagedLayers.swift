import Foundation

/// A job's layers between `stageLayers` and `commitLayers`: on disk, written and flushed under
/// temporary names; for a bucket, the bytes still to upload.
public struct StagedLayers: Sendable {
    enum Content: Sendable {
        case files(LayerWriter.Staged)
        case bytes([[UInt8]])
    }

    let set: LayerSet
    let content: Content
}
