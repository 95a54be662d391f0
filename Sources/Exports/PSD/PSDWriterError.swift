/// Why a PSD could not be written, in words that name the layer at fault.
public enum PSDWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An export needs at least one layer.
    case noLayers
    /// More layers than a PSD's signed 16-bit layer count holds.
    case tooManyLayers(count: Int)
    /// Every layer must have the canvas's size (the first layer's).
    case layerSizeMismatch(layer: String, width: Int, height: Int, canvasWidth: Int, canvasHeight: Int)
    /// Wider or taller than PSD version 1 allows (30,000 pixels).
    case canvasTooLarge(width: Int, height: Int)
    /// A layer file could not be read or decoded.
    case unreadableLayer(layer: String, path: String, reason: String)
    /// The layers' data passes the 4 GiB a PSD's 32-bit section lengths can describe.
    case fileTooLarge(bytes: Int)

    public var description: String {
        switch self {
        case .noLayers:
            "a PSD needs at least one layer"
        case .tooManyLayers(let count):
            "\(count) layers are more than a PSD holds (\(PSDWriter.maximumLayerCount))"
        case .layerSizeMismatch(let layer, let width, let height, let canvasWidth, let canvasHeight):
            "layer \"\(layer)\" is \(width)×\(height) but the canvas (the first layer) is \(canvasWidth)×\(canvasHeight); "
                + "every layer must have the same size"
        case .canvasTooLarge(let width, let height):
            "a \(width)×\(height) canvas is larger than a PSD allows (at most \(PSDWriter.maximumSide) pixels a side)"
        case .unreadableLayer(let layer, let path, let reason):
            "layer \"\(layer)\" (\(path)) could not be read: \(reason)"
        case .fileTooLarge(let bytes):
            "the layer data (\(bytes) bytes) is larger than a PSD's 4 GiB limit"
        }
    }
}
