import Foundation
import ZIPFoundation

/// The PowerPoint export, like the model's own demo export: one slide the size of the poster
/// (96 dpi), each layer a full-slide picture, stacked in order (layer 0, the background, at the
/// back). The PNGs are stored byte for byte as the package's media (streamed from their files);
/// the rest is the smallest Open XML package PowerPoint, LibreOffice and python-pptx open
/// (`PresentationParts`).
public struct PPTXWriter: LayeredFileWriter {
    public init() {}

    public func write(_ source: ExportSource, to path: String) throws {
        guard let first = source.layers.first else { throw ExportLayerError.noLayers }
        let date = LayerFileFacts.modified(first.path)
        var sizes: [Int64] = []
        var geometry: SlideGeometry?
        for layer in source.layers {
            let facts = try LayerFileFacts(path: layer.path)
            sizes.append(facts.size)
            geometry = geometry ?? SlideGeometry(pixelWidth: facts.width, pixelHeight: facts.height)
        }
        let parts = PresentationParts(layers: source.layers, slide: geometry!, jobID: source.jobID)
        let archive = try Archive.creating(at: path)
        // [Content_Types].xml first, as Office writes it (some readers look for it there).
        for (name, text) in parts.xmlParts() {
            try archive.addText(name, text, date: date)
        }
        for (index, layer) in source.layers.enumerated() {
            try archive.addFile(PresentationParts.mediaName(index), from: layer.path, size: sizes[index], date: date)
        }
    }
}
