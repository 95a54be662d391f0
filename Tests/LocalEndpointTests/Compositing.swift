import Foundation
import ImageCodec

/// What a designer's tool does with the layers: stack them in order with
/// straight-alpha "over" — and how close the result is to the original.
enum Compositing {
    /// The layers composited bottom (index 0) to top, as straight-alpha RGBA
    /// in 0...1.
    static func composite(_ layers: [RasterImage]) -> [Double] {
        let count = layers[0].width * layers[0].height
        var result = [Double](repeating: 0, count: count * 4)
        for layer in layers {
            for pixel in 0..<count {
                let offset = pixel * 4
                let alpha = Double(layer.pixels[offset + 3]) / 255
                guard alpha > 0 else { continue }
                let below = result[offset + 3]
                let outAlpha = alpha + below * (1 - alpha)
                for channel in 0..<3 {
                    let top = Double(layer.pixels[offset + channel]) / 255
                    result[offset + channel] = (top * alpha + result[offset + channel] * below * (1 - alpha)) / outAlpha
                }
                result[offset + 3] = outAlpha
            }
        }
        return result
    }

    /// Peak signal-to-noise ratio in dB of the composite against `original`,
    /// over premultiplied RGB and alpha (so colours under zero alpha, which
    /// nobody can see, do not count); `.infinity` when identical.
    static func psnr(_ layers: [RasterImage], against original: RasterImage) -> Double {
        let composite = composite(layers)
        var squaredError = 0.0
        for pixel in 0..<(original.width * original.height) {
            let offset = pixel * 4
            let alpha = Double(original.pixels[offset + 3]) / 255
            let compositeAlpha = composite[offset + 3]
            for channel in 0..<3 {
                let expected = Double(original.pixels[offset + channel]) / 255 * alpha
                let actual = composite[offset + channel] * compositeAlpha
                squaredError += (expected - actual) * (expected - actual)
            }
            squaredError += (alpha - compositeAlpha) * (alpha - compositeAlpha)
        }
        let meanSquaredError = squaredError / Double(original.width * original.height * 4)
        return meanSquaredError == 0 ? .infinity : 10 * log10(1 / meanSquaredError)
    }

    /// Pixels with alpha above zero.
    static func visiblePixels(_ layer: RasterImage) -> Int {
        stride(from: 3, to: layer.pixels.count, by: 4).reduce(0) { $0 + (layer.pixels[$1] > 0 ? 1 : 0) }
    }
}
