import Foundation

/// `manifest.json` in the ZIP export: enough to check every file (size, SHA-256) and to stack the
/// layers again (`layer_order`, bottom first; each layer's width and height).
struct ExportManifest: Encodable {
    struct Layer: Encodable {
        let index: Int
        let name: String
        let file: String
        let sizeBytes: Int64
        let width: Int
        let height: Int
        let sha256: String

        enum CodingKeys: String, CodingKey {
            case index, name, file, width, height, sha256
            case sizeBytes = "size_bytes"
        }
    }

    let jobID: String
    let layerOrder: [String]
    let layers: [Layer]

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case layerOrder = "layer_order"
        case layers
    }

    init(source: ExportSource, facts: [LayerFileFacts]) {
        jobID = source.jobID.uuidString.lowercased()
        layers = zip(source.layers, facts).map { layer, fact in
            Layer(
                index: layer.index, name: layer.name, file: ZIPExportWriter.fileName(layer), sizeBytes: fact.size,
                width: fact.width, height: fact.height, sha256: fact.sha256)
        }
        layerOrder = layers.map(\.file)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
