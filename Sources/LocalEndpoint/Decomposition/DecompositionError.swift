/// Why an image cannot be split as asked; the endpoint answers these with
/// 400 `INVALID_ARGUMENT` and this text.
public enum DecompositionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The layer count is outside `LocalDecomposer.layerRange`.
    case layerCountOutOfRange(Int)
    /// Every layer must hold at least one pixel, so an image needs at least
    /// as many pixels as layers.
    case tooFewPixels(pixels: Int, layers: Int)

    public var description: String {
        switch self {
        case .layerCountOutOfRange(let layers):
            let range = LocalDecomposer.layerRange
            return "layers must be an integer from \(range.lowerBound) to \(range.upperBound) (got \(layers))"
        case .tooFewPixels(let pixels, let layers):
            return "the image has \(pixels) pixel(s), fewer than the \(layers) layers asked for"
        }
    }
}
