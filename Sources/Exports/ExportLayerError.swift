/// Why an export could not be written from its layers: a file that cannot be read or is not an image.
public enum ExportLayerError: Error, Sendable, CustomStringConvertible {
    case unreadableLayer(String)
    case notAnImage(String, String)
    case noLayers

    public var description: String {
        switch self {
        case .unreadableLayer(let path): "cannot read the layer file \(path)"
        case .notAnImage(let path, let reason): "the layer file \(path) is not a readable image: \(reason)"
        case .noLayers: "the job has no layers to export"
        }
    }
}
