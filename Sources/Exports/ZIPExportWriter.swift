import Foundation
import ZIPFoundation

/// The ZIP export: `layer_0.png` … byte for byte (stored, not recompressed: PNGs are compressed
/// already) and `manifest.json` naming the job, the layer order (bottom first) and each file's
/// size, dimensions and SHA-256. Each layer is streamed from its file twice (hash, then copy):
/// memory stays one 64 KiB chunk whatever the layers' size.
public struct ZIPExportWriter: LayeredFileWriter {
    public init() {}

    public func write(_ source: ExportSource, to path: String) throws {
        guard let first = source.layers.first else { throw ExportLayerError.noLayers }
        let date = LayerFileFacts.modified(first.path)
        let facts = try source.layers.map { try LayerFileFacts(path: $0.path) }
        let archive = try Archive.creating(at: path)
        for (layer, fact) in zip(source.layers, facts) {
            try archive.addFile(Self.fileName(layer), from: layer.path, size: fact.size, date: date)
        }
        try archive.addText("manifest.json", try ExportManifest(source: source, facts: facts).json(), date: date)
    }

    static func fileName(_ layer: ExportLayer) -> String { "layer_\(layer.index).png" }
}
