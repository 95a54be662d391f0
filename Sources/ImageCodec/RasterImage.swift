/// Decoded pixels: 8-bit RGBA, straight (not premultiplied) alpha, rows top to
/// bottom with no padding.
///
/// One layout for every source format keeps the resizer and the encoders
/// simple; straight alpha is what PNG stores, so a PNG round trip is lossless.
/// The properties are immutable so `pixels.count == width * height * 4` always
/// holds once constructed.
public struct RasterImage: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes: R, G, B, A per pixel.
    public let pixels: [UInt8]

    /// - Precondition: `width` and `height` are at least 1 and
    ///   `pixels.count == width * height * 4` (a programming error otherwise,
    ///   like an out-of-range index).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 1 && height >= 1, "RasterImage needs at least 1×1 pixels, got \(width)×\(height)")
        precondition(
            pixels.count == width * height * 4,
            "RasterImage \(width)×\(height) needs \(width * height * 4) RGBA bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Whether any pixel has alpha below 255, i.e. whether the image needs a
    /// format with transparency (PNG) or can go to JPEG without loss of
    /// meaning. Scans the pixels on each call; stops at the first hit.
    public var hasTransparency: Bool {
        pixels.withUnsafeBufferPointer { p in
            var index = 3
            while index < p.count {
                if p[index] != 255 { return true }
                index += 4
            }
            return false
        }
    }
}
