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
    /// meaning. Scans the pixels on each call, two at a time; stops at the
    /// first hit.
    public var hasTransparency: Bool {
        pixels.withUnsafeBytes { raw in
            // The alpha bytes (offsets 3 and 7) of two RGBA pixels in one 64-bit word.
            let alpha = UInt64(littleEndian: 0xFF00_0000_FF00_0000)
            let pairs = raw.count / 8
            var offset = 0
            for _ in 0..<pairs {
                if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & alpha != alpha { return true }
                offset += 8
            }
            return offset < raw.count && raw[offset + 3] != 255
        }
    }
}
